import {
  allow,
  and,
  createPermissions,
  hasRole,
  hasScope,
  isAuthenticated,
  rule,
  type RuleTypeMap,
} from '@atrium/platform/auth';
import { errors } from '@atrium/platform/errors';
import type { IdentityContext } from './context';
import type { User } from './user/user.entity';

// Owner checks depend on the parent object, so no rule here shares a cache across fields or requests.
const noCache = { cache: 'no_cache' as const };

/**
 * Credentials and sessions are managed only by a person signed in with an access token: an API key acts for its
 * owner within its scopes, but can never mint keys, change the password or MFA, or see sessions.
 */
const isSignedInUser = rule(
  'isSignedInUser',
  noCache,
)((_parent, _args, ctx: IdentityContext) => {
  if (ctx.principal.kind === 'user' && ctx.principal.userId) return true;
  if (ctx.principal.kind === 'apiKey')
    return errors.FORBIDDEN('API keys cannot manage credentials, keys or sessions');
  return errors.UNAUTHENTICATED('You must be signed in');
});

/** User.email: the user themself (also right after signing in, in the AuthPayload) or an ADMIN. */
const isSelfOrAdmin = rule(
  'isSelfOrAdmin',
  noCache,
)((parent: User, _args, ctx: IdentityContext) => {
  const self = ctx.principal.kind !== 'anonymous' && ctx.principal.userId === parent.id;
  if (self || ctx.authenticatedUserId === parent.id || ctx.principal.roles.includes('ADMIN')) return true;
  return errors.FORBIDDEN("You may not read another user's email");
});

/**
 * Every User field but `id`, wherever the User was reached — `me`, `user`, an audit event's actor, a job's or a
 * connection's owner through `_entities` —, so an API key reads a profile only with `profile:read`, whatever path
 * it takes. A caller who has just authenticated (signUp, signIn: still anonymous) reads their own.
 */
const readsUserProfile = rule(
  'readsUserProfile',
  noCache,
)((parent: User, _args, ctx: IdentityContext) => {
  if (ctx.authenticatedUserId !== null && ctx.authenticatedUserId === parent.id) return true;
  if (ctx.principal.kind === 'anonymous') return errors.UNAUTHENTICATED('You must be signed in');
  if (ctx.principal.kind === 'apiKey' && !ctx.principal.scopes.includes('profile:read'))
    return errors.FORBIDDEN('This API key lacks the scope profile:read');
  return true;
});

const readsProfile = and(isAuthenticated, hasScope('profile:read'));
// One instance per rule name: graphql-shield refuses two different rules that share a name.
const isAdmin = hasRole('ADMIN');
const managesUsers = and(isAdmin, hasScope('users:write'));

/** Every field has a rule; anything added without one is denied (and fails the rule-coverage test). */
export const rules: RuleTypeMap = {
  Query: {
    me: readsProfile,
    // Self or ADMIN is checked in the resolver (an id is needed); FORBIDDEN for anyone else.
    user: readsProfile,
    users: and(isAdmin, hasScope('users:read')),
    sessions: isSignedInUser,
    apiKeys: isSignedInUser,
    // Scoped to the caller's own events in the resolver unless ADMIN.
    auditEvents: and(isAuthenticated, hasScope('audit:read')),
  },
  Mutation: {
    // Open: the credential presented (password, challenge or refresh token) is the authentication.
    signUp: allow,
    signIn: allow,
    completeMfaSignIn: allow,
    refreshSession: allow,
    signOut: allow,
    revokeSession: isSignedInUser,
    revokeAllSessions: isSignedInUser,
    changePassword: isSignedInUser,
    startTotpEnrollment: isSignedInUser,
    confirmTotpEnrollment: isSignedInUser,
    disableTotp: isSignedInUser,
    createApiKey: isSignedInUser,
    revokeApiKey: isSignedInUser,
    setUserRoles: managesUsers,
    setUserDisabled: managesUsers,
  },
  // Rules on the fields themselves, not on the paths to a User: `_entities` skips every Query rule, so a job's
  // owner would otherwise be read with only generation:read. The email is also the user's own or an ADMIN's.
  User: {
    id: allow,
    email: and(readsUserProfile, isSelfOrAdmin),
    displayName: readsUserProfile,
    roles: readsUserProfile,
    mfaEnabled: readsUserProfile,
    disabled: readsUserProfile,
    createdAt: readsUserProfile,
    lastSignInAt: readsUserProfile,
  },
  // Results of the guarded roots above; nothing reaches them any other way.
  AuthPayload: allow,
  MfaChallenge: allow,
  Session: allow,
  ApiKey: allow,
  CreatedApiKey: allow,
  TotpEnrollment: allow,
  UserConnection: allow,
  UserEdge: allow,
  PageInfo: allow,
  AuditEvent: allow,
  AuditEventConnection: allow,
  AuditEventEdge: allow,
};

export const permissions = createPermissions(rules);

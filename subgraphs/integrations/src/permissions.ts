import {
  allow,
  and,
  createPermissions,
  hasRole,
  hasScope,
  isAuthenticated,
  type RuleTypeMap,
} from '@atrium/platform/auth';

/** API keys need these scopes; signed-in users are governed by their roles. */
export const INTEGRATIONS_READ_SCOPE = 'integrations:read';
export const INTEGRATIONS_WRITE_SCOPE = 'integrations:write';

const canRead = and(isAuthenticated, hasScope(INTEGRATIONS_READ_SCOPE));
// VIEWERs see their connections but do not connect or disconnect accounts.
const canWrite = and(isAuthenticated, hasRole('MEMBER', 'ADMIN'), hasScope(INTEGRATIONS_WRITE_SCOPE));

/**
 * Every field has a rule; anything added without one is denied (and fails the rule-coverage test). Object-level
 * checks (owner or ADMIN) live in the services and the reference resolver, which every path to a connection
 * goes through — root fields, `_entities` and `User.connections`.
 */
export const rules: RuleTypeMap = {
  // The catalogue is public: integrators and signed-out pages list what Atrium can connect to.
  Query: { integrationProviders: allow, connections: canRead, connection: canRead },
  Mutation: {
    startConnection: canWrite,
    completeConnection: canWrite,
    connectWithApiKey: canWrite,
    refreshConnection: canWrite,
    disconnect: canWrite,
  },
  IntegrationProvider: allow,
  Connection: canRead,
  ConnectionStart: allow,
  WebhookEvent: canRead,
  WebhookEventEdge: allow,
  WebhookEventConnection: allow,
  PageInfo: allow,
  User: { id: allow, connections: canRead },
};

export const permissions = createPermissions(rules);

import { Arg, Args, Ctx, Mutation, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context';
import {
  AuthPayload,
  CompleteMfaSignInArgs,
  SignInInput,
  SignInResult,
  SignUpInput,
  type MfaChallengePayload,
} from './auth.types';

/**
 * The caller is still anonymous in `principal` for the rest of this request, yet reads the signed-in user's own
 * fields (email) in the AuthPayload it receives: the permissions read `authenticatedUserId`.
 */
async function signedIn<T extends AuthPayload | MfaChallengePayload>(
  ctx: IdentityContext,
  result: Promise<T>,
): Promise<T> {
  const value = await result;
  if (value instanceof AuthPayload) ctx.authenticatedUserId = value.user.id;
  return value;
}

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, {
    description:
      'Creates an account (a MEMBER) and signs it in. Errors: BAD_USER_INPUT (`extensions.fields` lists every problem), CONFLICT (the email already has an account), RATE_LIMITED (too many sign-ups from this address).',
  })
  signUp(
    @Arg('input', () => SignUpInput, { description: 'Email, password and display name.' }) input: SignUpInput,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayload> {
    return signedIn(ctx, ctx.app.auth.signUp(ctx.request, input));
  }

  @Mutation(() => SignInResult, {
    description:
      'Signs in with email and password: an AuthPayload, or an MfaChallenge when the account has MFA on. Errors: UNAUTHENTICATED (wrong email or password, the same answer for both), FORBIDDEN (the account is disabled), BAD_USER_INPUT (a password longer than 256 characters), RATE_LIMITED (too many attempts for this address or account).',
  })
  signIn(
    @Arg('input', () => SignInInput, { description: 'Email and password.' }) input: SignInInput,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayload | MfaChallengePayload> {
    return signedIn(ctx, ctx.app.auth.signIn(ctx.request, input));
  }

  @Mutation(() => AuthPayload, {
    description:
      'Finishes an MFA sign-in with a TOTP code or a recovery code (each recovery code works once). Errors: UNAUTHENTICATED (wrong code, or the challenge is unknown, expired or used up), FORBIDDEN (the account is disabled), RATE_LIMITED.',
  })
  completeMfaSignIn(
    @Args(() => CompleteMfaSignInArgs) args: CompleteMfaSignInArgs,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayload> {
    return signedIn(ctx, ctx.app.challenges.complete(ctx.request, args.challengeToken, args.code));
  }

  @Mutation(() => AuthPayload, {
    description:
      'Trades a refresh token for a new access token and a new refresh token; the old one is retired. Errors: UNAUTHENTICATED (unknown, expired or revoked token, or a disabled account; presenting a retired token later revokes the whole session), CONFLICT (the token was exchanged less than 5 seconds ago: use the tokens that request returned).',
  })
  refreshSession(
    @Arg('refreshToken', { description: 'The refresh token of the last AuthPayload.' }) refreshToken: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayload> {
    return signedIn(ctx, ctx.app.auth.refreshSession(ctx.request, refreshToken));
  }

  @Mutation(() => Boolean, {
    description:
      "Ends the refresh token's session (access tokens it issued live until they expire); false when it was not live. Never fails.",
  })
  signOut(
    @Arg('refreshToken', { description: 'A refresh token of the session to end.' }) refreshToken: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    return ctx.app.sessions.signOut(ctx.request, refreshToken);
  }
}

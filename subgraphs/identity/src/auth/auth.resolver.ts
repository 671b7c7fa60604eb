import { Arg, Args, Ctx, Mutation, Resolver } from 'type-graphql';
import { CompleteMfaSignInArgs } from '../common/args';
import type { IdentityContext } from '../context';
import { completeMfaSignIn } from '../mfa/mfa-challenge.service';
import { signOut } from '../session/session.service';
import { refreshSession, signIn, signUp } from './auth.service';
import { AuthPayload, SignInInput, SignInResult, SignUpInput, type MfaChallengePayload } from './auth.types';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates an account and signs it in.' })
  signUp(
    @Arg('input', () => SignUpInput) input: SignUpInput,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayload> {
    return signUp(ctx, input);
  }

  @Mutation(() => SignInResult, { description: 'AuthPayload, or MfaChallenge when the account has MFA on.' })
  signIn(
    @Arg('input', () => SignInInput) input: SignInInput,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayload | MfaChallengePayload> {
    return signIn(ctx, input);
  }

  @Mutation(() => AuthPayload, {
    description: 'Finishes an MFA sign-in with a TOTP code or a recovery code.',
  })
  completeMfaSignIn(
    @Args(() => CompleteMfaSignInArgs) args: CompleteMfaSignInArgs,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayload> {
    return completeMfaSignIn(ctx, args.challengeToken, args.code);
  }

  @Mutation(() => AuthPayload, {
    description: 'Rotates the refresh token; reusing an old one revokes the session.',
  })
  refreshSession(
    @Arg('refreshToken') refreshToken: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayload> {
    return refreshSession(ctx, refreshToken);
  }

  @Mutation(() => Boolean, { description: "Ends the refresh token's session; false when it was not live." })
  signOut(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: IdentityContext): Promise<boolean> {
    return signOut(ctx, refreshToken);
  }
}

import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context';
import { TotpEnrollment } from './totp.types';

@Resolver()
export class TotpResolver {
  @Mutation(() => TotpEnrollment, {
    description:
      'Starts turning MFA on: a new TOTP seed (RFC 6238, SHA-1, 6 digits, 30 s) to show as a QR code; confirmTotpEnrollment finishes. Access token only. Errors: CONFLICT (MFA is already on).',
  })
  startTotpEnrollment(@Ctx() ctx: IdentityContext): Promise<TotpEnrollment> {
    return ctx.app.totp.startEnrollment(ctx.request);
  }

  @Mutation(() => [String], {
    description:
      'Turns MFA on with a first code; returns 10 single-use recovery codes (`XXXX-XXXX-XXXX`), shown this once. Access token only. Errors: CONFLICT (MFA is already on, or no enrollment was started), BAD_USER_INPUT (wrong code), RATE_LIMITED.',
  })
  confirmTotpEnrollment(
    @Arg('code', { description: 'The current 6-digit code of the authenticator app.' }) code: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<string[]> {
    return ctx.app.totp.confirmEnrollment(ctx.request, code);
  }

  @Mutation(() => Boolean, {
    description:
      'Turns MFA off with a current TOTP code or a recovery code. Access token only. Errors: CONFLICT (MFA is not on), BAD_USER_INPUT (wrong code), RATE_LIMITED.',
  })
  disableTotp(
    @Arg('code', { description: 'A 6-digit TOTP code or a recovery code.' }) code: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    return ctx.app.totp.disable(ctx.request, code);
  }
}

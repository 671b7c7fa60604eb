import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context';
import { confirmTotpEnrollment, disableTotp, startTotpEnrollment } from './totp.service';
import { TotpEnrollment } from './totp.types';

@Resolver()
export class TotpResolver {
  @Mutation(() => TotpEnrollment)
  startTotpEnrollment(@Ctx() ctx: IdentityContext): Promise<TotpEnrollment> {
    return startTotpEnrollment(ctx);
  }

  @Mutation(() => [String], {
    description: 'Turns MFA on; returns 10 single-use recovery codes, shown once.',
  })
  confirmTotpEnrollment(@Arg('code') code: string, @Ctx() ctx: IdentityContext): Promise<string[]> {
    return confirmTotpEnrollment(ctx, code);
  }

  @Mutation(() => Boolean, { description: 'Turns MFA off; needs a current TOTP code or a recovery code.' })
  disableTotp(@Arg('code') code: string, @Ctx() ctx: IdentityContext): Promise<boolean> {
    return disableTotp(ctx, code);
  }
}

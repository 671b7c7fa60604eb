import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { IdentityContext } from '../context';
import { Session } from './session.entity';

@Resolver(() => Session)
export class SessionResolver {
  @Query(() => [Session], {
    description: 'Your live sessions, newest first. Access token only (an API key gets FORBIDDEN).',
  })
  sessions(@Ctx() ctx: IdentityContext): Promise<Session[]> {
    return ctx.app.sessions.listMine(ctx.request);
  }

  @FieldResolver(() => Boolean, { description: 'The session of the access token making this request.' })
  current(@Root() session: Session, @Ctx() ctx: IdentityContext): boolean {
    return session.id === ctx.principal.sessionId;
  }

  @Mutation(() => Boolean, {
    description:
      "Ends one of your sessions (an ADMIN: anyone's); its refresh tokens stop working at once, its access tokens at their expiry. Returns true. Access token only. Errors: NOT_FOUND (no such session of yours).",
  })
  revokeSession(
    @Arg('id', () => ID, { description: 'The Session.id.' }) id: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    return ctx.app.sessions.revoke(ctx.request, id);
  }

  @Mutation(() => Int, {
    description:
      'Ends all your sessions, this one included; returns how many were live. Access token only (an API key gets FORBIDDEN).',
  })
  revokeAllSessions(@Ctx() ctx: IdentityContext): Promise<number> {
    return ctx.app.sessions.revokeAllMine(ctx.request);
  }
}

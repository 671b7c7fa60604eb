import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { IdentityContext } from '../context';
import { requireActiveUser } from '../user/user.service';
import { Session } from './session.entity';
import { listSessions, revokeAllSessions, revokeSession } from './session.service';

@Resolver(() => Session)
export class SessionResolver {
  @Query(() => [Session], { description: 'Your live sessions, newest first.' })
  async sessions(@Ctx() ctx: IdentityContext): Promise<Session[]> {
    const user = await requireActiveUser(ctx);
    return listSessions(ctx, user.id);
  }

  @FieldResolver(() => Boolean, { description: 'The session of the access token making this request.' })
  current(@Root() session: Session, @Ctx() ctx: IdentityContext): boolean {
    return session.id === ctx.principal.sessionId;
  }

  @Mutation(() => Boolean)
  revokeSession(@Arg('id', () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<boolean> {
    return revokeSession(ctx, id);
  }

  @Mutation(() => Int, { description: 'Revokes all your sessions, this one included; returns how many.' })
  async revokeAllSessions(@Ctx() ctx: IdentityContext): Promise<number> {
    const user = await requireActiveUser(ctx);
    return revokeAllSessions(ctx, user.id);
  }
}

import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { AuditEventsArgs } from '../common/args';
import { callerId, callerIsAdmin, type IdentityContext } from '../context';
import { User } from '../user/user.entity';
import { AuditEvent } from './audit-event.entity';
import { listAuditEvents } from './audit-query.service';
import { AuditEventConnection } from './audit.types';

@Resolver(() => AuditEvent)
export class AuditEventResolver {
  @Query(() => AuditEventConnection, {
    description:
      "The audit log, newest first (scope audit:read): an ADMIN sees every event (or one account's with `userId`), anyone else the events they caused or that concern them.",
  })
  auditEvents(
    @Args(() => AuditEventsArgs) args: AuditEventsArgs,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuditEventConnection> {
    return listAuditEvents(ctx, args);
  }

  /** The acting user, when the caller may see them (themself, or anyone for an ADMIN); otherwise null. */
  @FieldResolver(() => User, {
    nullable: true,
    description:
      'Who acted: shown when it is you or, for an ADMIN, anyone; otherwise null (also for anonymous actions such as a failed sign-in).',
  })
  async actor(@Root() event: AuditEvent, @Ctx() ctx: IdentityContext): Promise<User | null> {
    if (!event.actorId) return null;
    if (event.actorId !== callerId(ctx) && !callerIsAdmin(ctx)) return null;
    return ctx.loaders.user.load(event.actorId);
  }
}

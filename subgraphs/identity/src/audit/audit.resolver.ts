import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { IdentityContext } from '../context';
import { callerId, callerIsAdmin } from '../request';
import { User } from '../user/user.entity';
import { AuditEvent } from './audit-event.entity';
import { AuditEventConnection, AuditEventsArgs } from './audit.types';

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
    return ctx.app.audit.list(ctx.request, args);
  }

  /** The acting user, when the caller may see them (themself, or anyone for an ADMIN); otherwise null. */
  @FieldResolver(() => User, {
    nullable: true,
    description:
      'Who acted: shown when it is you or, for an ADMIN, anyone; otherwise null (also for anonymous actions such as a failed sign-in).',
  })
  async actor(@Root() event: AuditEvent, @Ctx() ctx: IdentityContext): Promise<User | null> {
    if (!event.actorId) return null;
    if (event.actorId !== callerId(ctx.principal) && !callerIsAdmin(ctx.principal)) return null;
    return ctx.loaders.user.load(event.actorId);
  }
}

import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { MonitoringContext } from '../context';
import { assertMonitoringReader } from '../permissions';
import { Alert, AlertState } from './alert.entity';
import { fromView, type AlertView } from './alert.service';

// An argument class keeps the contract's argument order in the printed schema.
@ArgsType()
class AlertsArgs {
  @Field(() => AlertState, { nullable: true, description: 'Only alerts in this state; all when null.' })
  state!: AlertState | null;

  @Field(() => Int, {
    nullable: true,
    defaultValue: 50,
    description: 'How many, newest first: 1 to 200 (more is clamped); less than 1 is BAD_USER_INPUT.',
  })
  first!: number | null;
}

@Resolver(() => Alert)
export class AlertResolver {
  @Query(() => [Alert], {
    description: 'Alerts, newest first (at most 200). ADMIN (API keys: monitoring:read).',
  })
  alerts(@Ctx() ctx: MonitoringContext, @Args() { state, first }: AlertsArgs): Promise<Alert[]> {
    return ctx.app.alerts.list(state ?? undefined, first ?? 50);
  }

  @Mutation(() => Alert, {
    description:
      'Marks an alert as seen (the first acknowledgement is kept) and returns it; it keeps firing until its condition clears. A signed-in ADMIN only: no API-key scope grants it (FORBIDDEN). Errors: NOT_FOUND.',
  })
  acknowledgeAlert(
    @Ctx() ctx: MonitoringContext,
    @Arg('id', () => ID, { description: 'The Alert.id.' }) id: string,
  ): Promise<Alert> {
    return ctx.app.alerts.acknowledge(id, ctx.principal.userId ?? null);
  }

  @Subscription(() => Alert, {
    description:
      'Every alert as it opens (FIRING), resolves or is acknowledged; it never completes. ADMIN (API keys: monitoring:read).',
    subscribe: ({ context }) => {
      const ctx = context as MonitoringContext;
      assertMonitoringReader(ctx.principal);
      return ctx.app.alerts.changes();
    },
  })
  alertsChanged(@Root() alert: AlertView): Alert {
    return fromView(alert);
  }
}

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
import { Alert, AlertState } from './alert.entity';
import { fromView, type AlertView } from './alert.service';

// An argument class keeps the contract's argument order in the printed schema.
@ArgsType()
class AlertsArgs {
  @Field(() => AlertState, { nullable: true })
  state!: AlertState | null;

  @Field(() => Int, { nullable: true, defaultValue: 50 })
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
    description: 'Marks an alert as seen; it keeps firing until its condition clears. ADMIN.',
  })
  acknowledgeAlert(@Ctx() ctx: MonitoringContext, @Arg('id', () => ID) id: string): Promise<Alert> {
    return ctx.app.alerts.acknowledge(id, ctx.principal.userId ?? null);
  }

  @Subscription(() => Alert, {
    description: 'Every alert transition (FIRING, RESOLVED) and acknowledgement. ADMIN.',
    subscribe: ({ context }) => (context as MonitoringContext).app.alerts.changes(),
  })
  alertsChanged(@Root() alert: AlertView): Alert {
    return fromView(alert);
  }
}

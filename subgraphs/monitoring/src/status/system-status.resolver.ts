import { Ctx, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { MonitoringContext } from '../context';
import { assertMonitoringReader } from '../permissions';
import { SystemStatus } from './system-status.type';

@Resolver(() => SystemStatus)
export class SystemStatusResolver {
  @Query(() => SystemStatus, {
    description:
      'Every service, circuit breaker and queue as of the latest poll. ADMIN (API keys: monitoring:read).',
  })
  systemStatus(@Ctx() ctx: MonitoringContext): Promise<SystemStatus> {
    return ctx.app.status.current();
  }

  @Subscription(() => SystemStatus, {
    description:
      'The current status first, then each change (never an unchanged poll); it never completes. ADMIN (API keys: monitoring:read).',
    subscribe: ({ context }) => {
      const ctx = context as MonitoringContext;
      assertMonitoringReader(ctx.principal);
      return ctx.app.status.watch();
    },
  })
  systemStatusChanged(@Root() status: SystemStatus): SystemStatus {
    return status;
  }
}

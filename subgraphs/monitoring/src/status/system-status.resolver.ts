import { Ctx, Query, Resolver } from 'type-graphql';
import type { MonitoringContext } from '../context';
import { overallStatus, probeServices } from './health-prober';
import { SystemStatus } from './system-status.type';

@Resolver(() => SystemStatus)
export class SystemStatusResolver {
  @Query(() => SystemStatus, { description: 'Health of every service and its dependencies. ADMIN only.' })
  async systemStatus(@Ctx() ctx: MonitoringContext): Promise<SystemStatus> {
    const services = await probeServices(ctx.probe.targets, ctx.probe.timeoutMs);
    return { status: overallStatus(services), services, checkedAt: new Date() };
  }
}

import type { ServiceProbe } from './probe';
import { CircuitState } from '@atrium/platform/federation';
import { HealthStatus, type SystemStatus } from './system-status.type';

/** One poll of every target, as plain JSON: what the cache keeps and the event bus carries. */
export interface StatusSnapshot {
  status: HealthStatus;
  services: ServiceProbe[];
  checkedAt: string;
}

/** The target whose loss takes the whole API away: clients reach everything through it. */
export const ENTRY_SERVICE = 'gateway';

/**
 * The documented rules (docs/monitoring.md): DOWN when the gateway is DOWN or every service is DOWN; UP when every
 * service is UP; DEGRADED otherwise.
 */
export function overallStatus(services: readonly Pick<ServiceProbe, 'name' | 'status'>[]): HealthStatus {
  const down = (service: Pick<ServiceProbe, 'status'>) => service.status === HealthStatus.DOWN;
  if (services.length > 0 && services.every(down)) return HealthStatus.DOWN;
  if (services.some((service) => service.name === ENTRY_SERVICE && down(service))) return HealthStatus.DOWN;
  if (services.every((service) => service.status === HealthStatus.UP)) return HealthStatus.UP;
  return HealthStatus.DEGRADED;
}

export function buildSnapshot(services: ServiceProbe[], checkedAt = new Date()): StatusSnapshot {
  return { status: overallStatus(services), services, checkedAt: checkedAt.toISOString() };
}

/**
 * What a subscriber would see change, without what moves on every poll (time, latency, uptime), so an unchanged
 * system publishes nothing.
 */
export function fingerprint(snapshot: StatusSnapshot): string {
  return JSON.stringify([
    snapshot.status,
    snapshot.services.map((service) => [
      service.name,
      service.status,
      service.version,
      service.reason,
      service.dependencies.map((d) => [d.name, d.kind, d.status, d.message]),
      service.breakers.map((b) => [b.name, b.state, b.failureRate, b.openedAt]),
      service.queues,
    ]),
  ]);
}

/** The GraphQL view: breakers of every service in one list, each queue once (several processes report it). */
export function toSystemStatus(snapshot: StatusSnapshot): SystemStatus {
  const queues = new Map<string, ServiceProbe['queues'][number]>();
  for (const queue of snapshot.services.flatMap((service) => service.queues)) {
    if (!queues.has(queue.name)) queues.set(queue.name, queue);
  }
  return {
    status: snapshot.status,
    checkedAt: new Date(snapshot.checkedAt),
    services: snapshot.services.map((service) => ({
      name: service.name,
      status: service.status,
      version: service.version,
      uptimeSeconds: service.uptimeSeconds,
      dependencies: service.dependencies,
      checkedAt: new Date(service.checkedAt),
    })),
    circuitBreakers: snapshot.services.flatMap((service) =>
      service.breakers.map((breaker) => ({
        service: service.name,
        name: breaker.name,
        state: toCircuitState(breaker.state),
        failureRate: breaker.failureRate,
        openedAt: breaker.openedAt ? new Date(breaker.openedAt) : null,
      })),
    ),
    queues: [...queues.values()],
  };
}

function toCircuitState(state: string): CircuitState {
  return (Object.values(CircuitState) as string[]).includes(state)
    ? (state as CircuitState)
    : CircuitState.OPEN;
}

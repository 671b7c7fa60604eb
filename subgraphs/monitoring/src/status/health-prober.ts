import { HealthStatus, type ServiceHealth } from './system-status.type';

export interface ProbeTarget {
  name: string;
  /** Base URL of the service; its `/readyz` is read. */
  url: string;
}

interface ReadyReport {
  status?: string;
  version?: string;
  uptimeSeconds?: number;
  checks?: Array<{ name: string; kind: string; status: string; latencyMs?: number; message?: string }>;
}

/**
 * Reads every service's `/readyz` in parallel, each bounded by a timeout, so one frozen service costs the
 * status page at most `timeoutMs`. A service that does not answer is DOWN; one whose own checks fail is DEGRADED.
 */
export async function probeServices(
  targets: readonly ProbeTarget[],
  timeoutMs: number,
): Promise<ServiceHealth[]> {
  return Promise.all(targets.map((target) => probe(target, timeoutMs)));
}

async function probe(target: ProbeTarget, timeoutMs: number): Promise<ServiceHealth> {
  const checkedAt = new Date();
  try {
    const response = await fetch(new URL('/readyz', target.url), { signal: AbortSignal.timeout(timeoutMs) });
    const report = (await response.json()) as ReadyReport;
    const dependencies = (report.checks ?? []).map((check) => ({
      name: check.name,
      kind: check.kind,
      status: check.status === 'UP' ? HealthStatus.UP : HealthStatus.DOWN,
      latencyMs: check.latencyMs ?? null,
      message: check.message ?? null,
    }));
    const status = response.ok ? HealthStatus.UP : HealthStatus.DEGRADED;
    return {
      name: target.name,
      status,
      version: report.version ?? 'unknown',
      uptimeSeconds: report.uptimeSeconds ?? 0,
      dependencies,
      checkedAt,
    };
  } catch (error) {
    const message = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'unreachable';
    return {
      name: target.name,
      status: HealthStatus.DOWN,
      version: 'unknown',
      uptimeSeconds: 0,
      dependencies: [{ name: 'http', kind: 'http', status: HealthStatus.DOWN, latencyMs: null, message }],
      checkedAt,
    };
  }
}

/** The whole system is UP only when every service is; DOWN when all are; DEGRADED in between. */
export function overallStatus(services: readonly ServiceHealth[]): HealthStatus {
  if (services.every((service) => service.status === HealthStatus.UP)) return HealthStatus.UP;
  if (services.every((service) => service.status === HealthStatus.DOWN)) return HealthStatus.DOWN;
  return HealthStatus.DEGRADED;
}

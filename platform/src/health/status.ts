import type { HealthReport } from './index';

/** One circuit breaker of a process, as `/status` shows it. Same shape as a resilience policy's state. */
export interface BreakerStatus {
  name: string;
  state: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  /** Percent of failed calls in the breaker's window; null before it has enough calls. */
  failureRate: number | null;
  /** When it last opened, while OPEN or HALF_OPEN. */
  openedAt: Date | null;
}

/** Anything holding breakers: a PolicyRegistry, a provider registry… Read on every `/status`. */
export type BreakerSource = () => Iterable<{
  name: string;
  state(): Omit<BreakerStatus, 'name'>;
}>;

/** Counts of one job queue (the platform JobQueue's `counts()`). */
export interface QueueStatus {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  oldestWaitingSeconds: number | null;
}

/** A monotonically increasing count a monitor turns into rates (operations, errors, audit events). */
export type CounterSource = () => number | Promise<number>;

/**
 * One entry of the IETF health-check format's `checks` object (draft-inadarei-api-health-check), with Atrium's
 * own extension fields (`failureRate`, `openedAt`, queue counts) next to the standard ones.
 */
export interface StatusCheck {
  componentId: string;
  componentType: string;
  status: 'pass' | 'warn' | 'fail';
  observedValue?: unknown;
  observedUnit?: string;
  time: string;
  output?: string;
  [extension: string]: unknown;
}

/** `GET /status` body (media type application/health+json). */
export interface StatusDocument {
  status: 'pass' | 'warn' | 'fail';
  version: string;
  releaseId: string;
  serviceId: string;
  description: string;
  /** Why the status is not pass, in one line. */
  output?: string;
  checks: Record<string, StatusCheck[]>;
}

export interface StatusInputs {
  report: HealthReport;
  breakers: BreakerStatus[];
  queues: Array<{ name: string; counts: QueueStatus | null; error?: string }>;
  counters: Array<{ name: string; value: number }>;
}

/**
 * Builds the IETF health document. `fail` exactly when readiness fails (a dependency down or shutting down);
 * a breaker that is not CLOSED or an unreadable queue makes it `warn`, never `fail`: a tripped breaker must not
 * make an instance look unready, or every replica leaves the load balancer at once.
 */
export function statusDocument(inputs: StatusInputs): StatusDocument {
  const { report } = inputs;
  const time = report.checkedAt;
  const checks: Record<string, StatusCheck[]> = {
    uptime: [
      {
        componentId: report.service,
        componentType: 'system',
        status: 'pass',
        observedValue: report.uptimeSeconds,
        observedUnit: 's',
        time,
      },
    ],
  };
  for (const check of report.checks) {
    checks[`${check.name}:responseTime`] = [
      {
        componentId: check.name,
        componentType: check.kind,
        status: check.status === 'UP' ? 'pass' : 'fail',
        observedValue: check.latencyMs,
        observedUnit: 'ms',
        time,
        ...(check.message ? { output: check.message } : {}),
      },
    ];
  }
  for (const breaker of inputs.breakers) {
    checks[`${breaker.name}:circuitBreaker`] = [
      {
        componentId: breaker.name,
        componentType: 'circuitBreaker',
        status: breaker.state === 'CLOSED' ? 'pass' : 'warn',
        observedValue: breaker.state,
        time,
        failureRate: breaker.failureRate,
        openedAt: breaker.openedAt?.toISOString() ?? null,
      },
    ];
  }
  for (const queue of inputs.queues) {
    checks[`${queue.name}:queue`] = [
      {
        componentId: queue.name,
        componentType: 'queue',
        status: queue.counts ? 'pass' : 'warn',
        observedValue: queue.counts?.waiting ?? null,
        observedUnit: 'jobs',
        time,
        ...(queue.counts ?? {}),
        ...(queue.error ? { output: queue.error } : {}),
      },
    ];
  }
  for (const counter of inputs.counters) {
    checks[`${counter.name}:count`] = [
      {
        componentId: counter.name,
        componentType: 'counter',
        status: 'pass',
        observedValue: counter.value,
        time,
      },
    ];
  }
  const failing = report.status === 'DOWN';
  const warnings = Object.values(checks)
    .flat()
    .filter((check) => check.status === 'warn');
  return {
    status: failing ? 'fail' : warnings.length > 0 ? 'warn' : 'pass',
    version: report.version,
    releaseId: report.version,
    serviceId: report.service,
    description: `Atrium ${report.service}`,
    ...(failing
      ? { output: report.shuttingDown ? 'shutting down' : 'a dependency check failed' }
      : warnings.length > 0
        ? { output: `${warnings.map((check) => check.componentId).join(', ')} not healthy` }
        : {}),
    checks,
  };
}

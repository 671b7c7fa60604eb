import { Router } from 'express';
import { safeMessage } from '../logging/sanitize';
import {
  statusDocument,
  type BreakerSource,
  type BreakerStatus,
  type CounterSource,
  type QueueStatus,
  type StatusDocument,
} from './status';
import { withTimeout } from '../resilience/timing';

export { connectHealthAndMetrics } from './metrics';
export type {
  BreakerSource,
  BreakerStatus,
  CounterSource,
  QueueStatus,
  StatusCheck,
  StatusDocument,
} from './status';

/** One dependency readiness depends on. `check` resolves when the dependency is usable and rejects when not. */
export interface DependencyCheck {
  /** Unique within a registry, e.g. 'postgres' or 'identity-jwks'. */
  name: string;
  /** 'database' | 'redis' | 'http' | … — lets dashboards group checks. */
  kind: string;
  /** Resolves (optionally with a note shown in the report) when usable; rejects or hangs when not. */
  check: () => Promise<void | { message?: string }>;
}

export interface CheckResult {
  name: string;
  kind: string;
  status: 'UP' | 'DOWN';
  latencyMs: number;
  message?: string;
}

export interface HealthReport {
  status: 'UP' | 'DOWN';
  service: string;
  version: string;
  uptimeSeconds: number;
  shuttingDown: boolean;
  checks: CheckResult[];
  checkedAt: string;
}

export interface HealthRegistryOptions {
  /** Service name shown in every answer. */
  service: string;
  /** Build version shown in every answer. Default 'unknown'. */
  version?: string;
  /** Longest a single check may take before it reports DOWN 'timed out after …ms'. Default 2000. */
  timeoutMs?: number;
}

/**
 * Liveness and readiness of one service. `/healthz` only says the process answers (never touches dependencies,
 * so a database outage does not get the process restarted); `/readyz` runs every check and turns 503 when one is
 * DOWN or once `startShutdown()` was called, so a load balancer drains the instance before it stops.
 */
export class HealthRegistry {
  private readonly checks: DependencyCheck[] = [];
  private readonly service: string;
  private readonly version: string;
  private readonly timeoutMs: number;
  private readonly startedAt = Date.now();
  private shutdownStarted = false;
  private inFlight: Promise<HealthReport> | undefined;
  private readonly breakerSources: BreakerSource[] = [];
  private readonly queues = new Map<string, () => Promise<QueueStatus>>();
  private readonly counters = new Map<string, CounterSource>();

  constructor(options: HealthRegistryOptions) {
    this.service = options.service;
    this.version = options.version ?? 'unknown';
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  /** Adds a check. Throws when a check of the same name is already registered. */
  register(check: DependencyCheck): void {
    if (this.checks.some((c) => c.name === check.name))
      throw new Error(`Health check "${check.name}" is already registered`);
    this.checks.push(check);
  }

  /**
   * Shows the breakers of `source` in `/status` (read on every request, so breakers created later appear too).
   * They never affect readiness.
   */
  registerBreakers(source: BreakerSource): void {
    this.breakerSources.push(source);
  }

  /** Shows a job queue's counts in `/status`; an unreadable queue is a warning there, never unreadiness. */
  registerQueue(name: string, counts: () => Promise<QueueStatus>): void {
    this.queues.set(name, counts);
  }

  /** Shows a monotonically increasing count in `/status`, for monitors that alert on its rate. */
  registerCounter(name: string, read: CounterSource): void {
    this.counters.set(name, read);
  }

  /** Readiness is DOWN from now on; liveness stays UP so the process is not killed while it drains. */
  startShutdown(): void {
    this.shutdownStarted = true;
  }

  get shuttingDown(): boolean {
    return this.shutdownStarted;
  }

  /**
   * Runs every check in parallel, each bounded by `timeoutMs`. Concurrent callers share one run, so a burst of
   * probes costs the dependencies one round of checks. While shutting down no check runs (pools may be closing).
   */
  report(): Promise<HealthReport> {
    if (this.shutdownStarted) return Promise.resolve(this.snapshot([]));
    this.inFlight ??= this.runChecks().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** The breakers of every registered source, by name. */
  breakers(): BreakerStatus[] {
    return this.breakerSources.flatMap((source) =>
      [...source()].map((breaker) => ({ name: breaker.name, ...breaker.state() })),
    );
  }

  /**
   * The IETF health-check document (`GET /status`): readiness checks with latencies, uptime, breakers, queues and
   * counters. Queues are read with the same timeout as checks, so a stuck store cannot stall the answer.
   */
  async status(): Promise<StatusDocument> {
    const [report, queues, counters] = await Promise.all([
      this.report(),
      this.queueCounts(),
      Promise.all([...this.counters].map(async ([name, read]) => ({ name, value: await read() }))),
    ]);
    return statusDocument({ report, breakers: this.breakers(), queues, counters });
  }

  /** Every registered queue's counts, each bounded by the check timeout; null (with the reason) when unreadable. */
  queueCounts(): Promise<Array<{ name: string; counts: QueueStatus | null; error?: string }>> {
    return Promise.all(
      [...this.queues].map(async ([name, counts]) => {
        try {
          return { name, counts: await withTimeout(counts, this.timeoutMs, this.timedOut) };
        } catch (error) {
          return { name, counts: null, error: failureMessage(error) };
        }
      }),
    );
  }

  /**
   * An express Router serving GET /healthz, GET /readyz and GET /status (200 for pass and warn, 503 for fail);
   * mount it at the root, before authentication.
   */
  routes(): Router {
    const router = Router();
    router.get('/healthz', (_req, res) => {
      res.set('cache-control', 'no-store').json(this.liveness());
    });
    router.get('/readyz', async (_req, res) => {
      const report = await this.report();
      res
        .status(report.status === 'UP' ? 200 : 503)
        .set('cache-control', 'no-store')
        .json(report);
    });
    router.get('/status', async (_req, res) => {
      const document = await this.status();
      res
        .status(document.status === 'fail' ? 503 : 200)
        .set('cache-control', 'no-store')
        .type('application/health+json')
        .send(JSON.stringify(document));
    });
    return router;
  }

  private liveness(): { status: 'UP'; service: string; version: string; uptimeSeconds: number } {
    return {
      status: 'UP',
      service: this.service,
      version: this.version,
      uptimeSeconds: this.uptimeSeconds(),
    };
  }

  private async runChecks(): Promise<HealthReport> {
    const results = await Promise.all(this.checks.map((check) => this.runOne(check)));
    return this.snapshot(results);
  }

  private snapshot(checks: CheckResult[]): HealthReport {
    const down = this.shutdownStarted || checks.some((c) => c.status === 'DOWN');
    return {
      ...this.liveness(),
      status: down ? 'DOWN' : 'UP',
      shuttingDown: this.shutdownStarted,
      checks,
      checkedAt: new Date().toISOString(),
    };
  }

  private readonly timedOut = (): Error => new Error(`timed out after ${this.timeoutMs}ms`);

  private async runOne(check: DependencyCheck): Promise<CheckResult> {
    const started = performance.now();
    const base = { name: check.name, kind: check.kind };
    const latency = (): number => Math.round((performance.now() - started) * 10) / 10;
    try {
      const outcome = await withTimeout(check.check, this.timeoutMs, this.timedOut);
      const message = outcome?.message;
      return {
        ...base,
        status: 'UP',
        latencyMs: latency(),
        ...(message ? { message: safeMessage(message) } : {}),
      };
    } catch (error) {
      return { ...base, status: 'DOWN', latencyMs: latency(), message: failureMessage(error) };
    }
  }

  private uptimeSeconds(): number {
    return Math.floor((Date.now() - this.startedAt) / 1000);
  }
}

// Only the message: a driver error's other properties (connection options, query text) may hold credentials.
function failureMessage(error: unknown): string {
  if (error instanceof Error && error.message) return safeMessage(error.message);
  return 'check failed';
}

import { Worker, WaitingError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { describeError, type SharedRedis } from '../infrastructure/redis';
import type { JobHandler, JobWorker, WorkerOptions } from './index';
import {
  assertWorkerOptions,
  DEFAULT_CLOSE_TIMEOUT_MS,
  jobsStopController,
  retention,
  settlesWithin,
} from './options';

const DEFAULT_LOCK_DURATION_MS = 30_000;

/** Exposes the one piece of BullMQ's close that must also run when Redis is gone. */
class AtriumWorker extends Worker {
  stopLockRenewal(): Promise<void> {
    return this.lockManager.close();
  }
}

export interface WorkerDeps {
  redis: SharedRedis;
  prefix: string;
  log: Logger;
  maxStalledCount: number;
  onClose: () => void;
}

/**
 * A BullMQ worker. Lock and stall settings: the lock (`lockDurationMs`, default 30 s) is renewed every half
 * of it while this process lives; every worker scans for expired locks each `stalledInterval` (= the lock
 * duration, at most 30 s) and puts such jobs back to wait. A killed worker's job therefore runs again within
 * about two lock durations, at most `maxStalledCount` times.
 */
export class BullMqJobWorker<T> implements JobWorker {
  private readonly worker: AtriumWorker;
  private readonly stopping = jobsStopController();
  private readonly running = new Set<Promise<void>>();
  private readonly closeTimeoutMs: number;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly handler: JobHandler<T>,
    options: WorkerOptions,
    private readonly deps: WorkerDeps,
  ) {
    assertWorkerOptions(options);
    this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    const lockDuration = options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
    this.worker = new AtriumWorker(name, (job: Job, token?: string) => this.track(this.process(job, token)), {
      // Options, not a client: BullMQ opens (and closes) its own blocking connections from them. Workers
      // wait out a Redis outage (offline queue, unlimited retries) rather than fail.
      connection: {
        url: deps.redis.url,
        ...deps.redis.connectionOptions({
          enableOfflineQueue: true,
          maxRetriesPerRequest: null,
          connectionName: undefined,
        }),
      },
      prefix: deps.prefix,
      concurrency: options.concurrency,
      lockDuration,
      stalledInterval: Math.min(lockDuration, DEFAULT_LOCK_DURATION_MS),
      maxStalledCount: deps.maxStalledCount,
      ...retention,
    });
    this.watch();
  }

  /**
   * Stops fetching, aborts `job.signal`, waits up to `closeTimeoutMs` for running handlers, then closes
   * BullMQ's connections. A handler still running after that keeps its job active until its lock expires,
   * and the stalled check of another worker runs it again.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopping.abort();
      await this.worker.pause(true).catch(() => undefined);
      const finished = await settlesWithin(Promise.allSettled(this.running), this.closeTimeoutMs);
      if (!finished) this.deps.log.warn({ queue: this.name }, 'worker closed with handlers still running');
      const closed = this.worker.close(!finished);
      // Recording results waits for Redis; if it is away, drop the connections instead of waiting forever
      // (the jobs' locks expire and the stalled check of another worker runs them again).
      if (!(await settlesWithin(closed, Math.min(this.closeTimeoutMs, 2000)))) {
        this.deps.log.warn({ queue: this.name }, 'worker could not record job results; connections dropped');
        // BullMQ's own close then never finishes (ioredis leaves commands pending when disconnected while
        // reconnecting), so stop what would keep the process alive: the lock renewal timer and the sockets.
        await this.worker.stopLockRenewal();
        void this.worker.disconnect().catch(() => undefined);
      }
      this.deps.onClose();
    })();
    return this.closing;
  }

  private async process(job: Job, token: string | undefined): Promise<void> {
    const signal = this.stopping.signal;
    try {
      if (signal.aborted) throw signal.reason;
      const data = job.data as T;
      await this.handler({ id: job.id ?? '', name: job.name, data, attempt: job.attemptsMade + 1, signal });
    } catch (error) {
      if (!signal.aborted || !token) throw error;
      // Shutdown interrupted the handler: hand the job back to wait without spending an attempt.
      await job.moveToWait(token);
      throw new WaitingError();
    }
  }

  /** Counts running handlers for `close()`; BullMQ gets the original promise (and its rejection). */
  private track(run: Promise<void>): Promise<void> {
    const settled: Promise<void> = run.then(
      () => void this.running.delete(settled),
      () => void this.running.delete(settled),
    );
    this.running.add(settled);
    return run;
  }

  private watch(): void {
    const { log } = this.deps;
    const context = { queue: this.name };
    let failing = false;
    this.worker.on('error', (error) => {
      if (!failing) log.warn({ ...context, err: describeError(error) }, 'queue worker error');
      failing = true;
    });
    this.worker.on('ready', () => (failing = false));
    this.worker.on('failed', (job, error) => {
      if (!job || error instanceof WaitingError) return;
      const attempt = { ...context, jobId: job.id, jobName: job.name, attempt: job.attemptsMade };
      const last = job.attemptsMade >= (job.opts.attempts ?? 1);
      if (last) log.error({ ...attempt, err: describeError(error) }, 'job failed after its last attempt');
      else log.warn({ ...attempt, err: describeError(error) }, 'job attempt failed; will retry');
    });
    this.worker.on('stalled', (jobId) =>
      log.warn({ ...context, jobId }, 'job stalled (worker lost); re-queued'),
    );
  }
}

import { Queue, Worker, WaitingError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { silentLogger } from '../infrastructure/logger';
import {
  describeError,
  resolveRedis,
  type RedisConnectionInput,
  type SharedRedis,
} from '../infrastructure/redis';
import type {
  AddJobOptions,
  JobHandler,
  JobQueue,
  JobWorker,
  QueueCounts,
  QueueProvider,
  WorkerOptions,
} from './index';
import {
  assertQueueName,
  assertWorkerOptions,
  DEFAULT_CLOSE_TIMEOUT_MS,
  KEEP_COMPLETED,
  KEEP_FAILED,
  normalizeAddOptions,
  QueueClosedError,
  QueueUnavailableError,
  settlesWithin,
} from './options';

export interface BullMqQueueOptions {
  /**
   * Producers use this connection (shared or own; fail-fast: `add` rejects at once while Redis is down).
   * Workers open their own two connections to the same server, which BullMQ opens and closes.
   */
  connection: RedisConnectionInput;
  /** BullMQ keys live under `<keyPrefix>bull:<queue>:…`. */
  keyPrefix: string;
  /** Failed attempts, stalled jobs and connection problems. Default: silent. */
  log?: Logger;
  /**
   * Times a job may be recovered from a dead worker (lock expired) before it is failed, so a job that
   * crashes every worker that runs it cannot loop forever. Default 2.
   */
  maxStalledCount?: number;
}

const DEFAULT_LOCK_DURATION_MS = 30_000;

const retention = {
  removeOnComplete: { count: KEEP_COMPLETED.count, age: KEEP_COMPLETED.ageSeconds },
  removeOnFail: { count: KEEP_FAILED.count, age: KEEP_FAILED.ageSeconds },
};

/** BullMQ queues and workers on one Redis. At-least-once: a job of a worker that died runs again. */
export class BullMqQueueProvider implements QueueProvider {
  private readonly redis: SharedRedis;
  private readonly ownsRedis: boolean;
  private readonly queues = new Map<string, BullMqJobQueue<unknown>>();
  private readonly workers = new Set<BullMqJobWorker<unknown>>();
  private readonly log: Logger;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BullMqQueueOptions) {
    this.log = options.log ?? silentLogger();
    const { redis, owned } = resolveRedis(options.connection, 'atrium-queue', this.log);
    this.redis = redis;
    this.ownsRedis = owned;
  }

  /** One handle per name; after its `close()`, the next call makes a new one. */
  queue<T>(name: string): JobQueue<T> {
    this.assertOpen(name);
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new BullMqJobQueue<unknown>(name, this.redis, this.prefix, this.log, () =>
        this.queues.delete(name),
      );
      this.queues.set(name, queue);
    }
    return queue as JobQueue<T>;
  }

  worker<T>(name: string, handler: JobHandler<T>, options: WorkerOptions): JobWorker {
    this.assertOpen(name);
    const worker: BullMqJobWorker<T> = new BullMqJobWorker<T>(name, handler, options, {
      redis: this.redis,
      prefix: this.prefix,
      log: this.log,
      maxStalledCount: this.options.maxStalledCount ?? 2,
      onClose: () => this.workers.delete(worker as BullMqJobWorker<unknown>),
    });
    this.workers.add(worker as BullMqJobWorker<unknown>);
    return worker;
  }

  /** Closes workers (letting running jobs finish, bounded), then queues, then an owned connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.workers].map((worker) => worker.close()));
      await Promise.all([...this.queues.values()].map((queue) => queue.close()));
      if (this.ownsRedis) await this.redis.close();
    })();
    return this.closing;
  }

  private get prefix(): string {
    return `${this.options.keyPrefix}bull`;
  }

  private assertOpen(name: string): void {
    if (this.closing) throw new QueueClosedError(name);
    assertQueueName(name);
  }
}

/** A BullMQ producer on the shared, fail-fast connection (BullMQ leaves a passed-in client open). */
export class BullMqJobQueue<T> implements JobQueue<T> {
  private readonly queue: Queue;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly redis: SharedRedis,
    prefix: string,
    log: Logger,
    private readonly onClose: () => void = () => undefined,
  ) {
    // skipWaitingForReady + skipVersionCheck: BullMQ would otherwise wait for Redis forever before its
    // first command; the shared connection rejects at once instead. The version check runs in workers.
    this.queue = new Queue(name, {
      connection: redis.client,
      prefix,
      skipWaitingForReady: true,
      skipVersionCheck: true,
    });
    this.queue.on('error', (error: unknown) =>
      log.debug({ queue: name, err: describeError(error) }, 'queue error'),
    );
  }

  async add(name: string, data: T, options?: AddJobOptions): Promise<{ id: string }> {
    if (this.closing) throw new QueueClosedError(this.name);
    const { jobId, attempts, backoffMs, delayMs } = normalizeAddOptions(options);
    try {
      await this.redis.ready();
      const job = await this.queue.add(name, data, {
        ...retention,
        ...(jobId === undefined ? {} : { jobId }),
        attempts,
        backoff: { type: 'exponential', delay: backoffMs },
        delay: delayMs,
      });
      return { id: job.id ?? '' };
    } catch (error) {
      throw new QueueUnavailableError(this.name, { cause: error });
    }
  }

  async counts(): Promise<QueueCounts> {
    try {
      await this.redis.ready();
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
      const [oldest] = await this.queue.getJobs(['waiting'], 0, 0, true);
      const dueAt = oldest ? oldest.timestamp + (oldest.opts.delay ?? 0) : undefined;
      return {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        completed: counts.completed ?? 0,
        oldestWaitingSeconds: dueAt === undefined ? null : Math.max(0, (Date.now() - dueAt) / 1000),
      };
    } catch (error) {
      throw new QueueUnavailableError(this.name, { cause: error });
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.onClose();
      await this.queue.close();
    })();
    return this.closing;
  }
}

interface WorkerDeps {
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
  private readonly worker: Worker;
  private readonly stopping = new AbortController();
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
    this.worker = new Worker(name, (job: Job, token?: string) => this.track(this.process(job, token)), {
      // Options, not a client: BullMQ opens (and closes) its own blocking connections from them. Workers
      // wait out a Redis outage (offline queue, unlimited retries) rather than fail.
      connection: {
        url: deps.redis.url,
        ...deps.redis.connectionOptions({
          enableOfflineQueue: true,
          maxRetriesPerRequest: null,
          commandTimeout: undefined,
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
      await this.worker.close(!finished);
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

  private track(run: Promise<void>): Promise<void> {
    const tracked = run.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
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

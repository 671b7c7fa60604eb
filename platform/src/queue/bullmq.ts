import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { silentLogger } from '../infrastructure/logger';
import { describeError, type SharedRedis } from '../infrastructure/redis';
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
  normalizeAddOptions,
  QueueClosedError,
  QueueUnavailableError,
  retention,
} from './options';
import { BullMqJobWorker } from './bullmq-worker';

export interface BullMqQueueOptions {
  /**
   * The process's shared connection: producers use it (fail-fast: `add` rejects at once while Redis is down).
   * The one exception to "one connection per process": a BullMQ worker blocks its connection on BRPOPLPUSH /
   * BZPOPMIN while it waits for jobs, so each worker opens its own two connections to the same server (from
   * this one's options), which BullMQ opens and closes.
   */
  connection: SharedRedis;
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

/** BullMQ queues and workers on one Redis. At-least-once: a job of a worker that died runs again. */
export class BullMqQueueProvider implements QueueProvider {
  private readonly redis: SharedRedis;
  private readonly queues = new Map<string, BullMqJobQueue<unknown>>();
  private readonly workers = new Set<BullMqJobWorker<unknown>>();
  private readonly log: Logger;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BullMqQueueOptions) {
    this.log = options.log ?? silentLogger();
    this.redis = options.connection;
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
    const jobOptions = {
      ...retention,
      ...(jobId === undefined ? {} : { jobId }),
      attempts,
      backoff: { type: 'exponential', delay: backoffMs },
      delay: delayMs,
    };
    try {
      const job = await this.redis.run(() => this.queue.add(name, data, jobOptions));
      return { id: job.id ?? '' };
    } catch (error) {
      throw new QueueUnavailableError(this.name, { cause: error });
    }
  }

  async counts(): Promise<QueueCounts> {
    try {
      const [counts, [oldest]] = await this.redis.run(() =>
        Promise.all([
          this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
          this.queue.getJobs(['waiting'], 0, 0, true),
        ]),
      );
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

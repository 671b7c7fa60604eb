import type { Logger } from 'pino';
import { silentLogger } from '../infrastructure/logger';
import type {
  AddJobOptions,
  JobHandler,
  JobQueue,
  JobWorker,
  QueueCounts,
  QueueProvider,
  WorkerOptions,
} from './index';
import { MemoryQueueStore, type Consumer, type StoredJob } from './memory-store';
import {
  assertQueueName,
  assertWorkerOptions,
  DEFAULT_CLOSE_TIMEOUT_MS,
  jobsStopController,
  normalizeAddOptions,
  QueueClosedError,
  settlesWithin,
} from './options';

export interface MemoryQueueOptions {
  /** Failed attempts and worker problems. Default: silent. */
  log?: Logger;
}

/**
 * In-process queues for the embedded mode: jobs live in this process's memory and are lost when it exits.
 * Queues and workers of the same name share one store, like BullMQ queues sharing Redis keys.
 */
export class MemoryQueueProvider implements QueueProvider {
  private readonly stores = new Map<string, MemoryQueueStore>();
  private readonly queues = new Map<string, MemoryJobQueue<unknown>>();
  private readonly workers = new Set<MemoryJobWorker<unknown>>();
  private readonly log: Logger;
  private closing: Promise<void> | undefined;

  constructor(options: MemoryQueueOptions = {}) {
    this.log = options.log ?? silentLogger();
  }

  /** One handle per name; after its `close()`, the next call makes a new one. */
  queue<T>(name: string): JobQueue<T> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new MemoryJobQueue<unknown>(this.store(name), () => this.queues.delete(name));
      this.queues.set(name, queue);
    }
    return queue as JobQueue<T>;
  }

  worker<T>(name: string, handler: JobHandler<T>, options: WorkerOptions): JobWorker {
    const worker: MemoryJobWorker<T> = new MemoryJobWorker<T>(this.store(name), handler, options, () =>
      this.workers.delete(worker as MemoryJobWorker<unknown>),
    );
    this.workers.add(worker as MemoryJobWorker<unknown>);
    return worker;
  }

  /** Closes workers first (they may still finish jobs), then queues. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.workers].map((worker) => worker.close()));
      await Promise.all([...this.queues.values()].map((queue) => queue.close()));
      for (const store of this.stores.values()) store.close();
    })();
    return this.closing;
  }

  private store(name: string): MemoryQueueStore {
    if (this.closing) throw new QueueClosedError(name);
    assertQueueName(name);
    let store = this.stores.get(name);
    if (!store) this.stores.set(name, (store = new MemoryQueueStore(name, this.log)));
    return store;
  }
}

/** A producer handle on an in-process queue. */
export class MemoryJobQueue<T> implements JobQueue<T> {
  private closed = false;

  constructor(
    private readonly store: MemoryQueueStore,
    private readonly onClose: () => void = () => undefined,
  ) {}

  async add(name: string, data: T, options?: AddJobOptions): Promise<{ id: string }> {
    if (this.closed) throw new QueueClosedError(this.store.name);
    return this.store.add(name, data, normalizeAddOptions(options));
  }

  async counts(): Promise<QueueCounts> {
    return this.store.counts();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.onClose();
  }
}

/** Runs handlers for an in-process queue, at most `concurrency` at once. */
export class MemoryJobWorker<T> implements JobWorker, Consumer {
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = jobsStopController();
  private readonly closeTimeoutMs: number;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly store: MemoryQueueStore,
    private readonly handler: JobHandler<T>,
    private readonly options: WorkerOptions,
    private readonly onClose: () => void = () => undefined,
  ) {
    assertWorkerOptions(options);
    this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    store.attach(this);
  }

  hasCapacity(): boolean {
    return !this.stopping.signal.aborted && this.running.size < this.options.concurrency;
  }

  start(job: StoredJob): void {
    const run = this.run(job).finally(() => {
      this.running.delete(run);
      this.store.wake();
    });
    this.running.add(run);
  }

  /** Stops taking jobs, aborts `job.signal`, and waits up to `closeTimeoutMs` for running handlers. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopping.abort();
      this.store.detach(this);
      await settlesWithin(Promise.allSettled(this.running), this.closeTimeoutMs);
      this.onClose();
    })();
    return this.closing;
  }

  private async run(job: StoredJob): Promise<void> {
    const data = JSON.parse(job.data) as T;
    const signal = this.stopping.signal;
    try {
      await this.handler({ id: job.id, name: job.name, data, attempt: job.attemptsMade + 1, signal });
      this.store.completed(job);
    } catch (error) {
      if (signal.aborted) this.store.handBack(job);
      else this.store.failed(job, error);
    }
  }
}

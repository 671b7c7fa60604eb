import type { Logger } from 'pino';
import { describeError } from '../infrastructure/redis';
import type { QueueCounts } from './index';
import { backoffDelay, KEEP_COMPLETED, KEEP_FAILED, type NormalizedAddOptions } from './options';

type State = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed';

export interface StoredJob {
  readonly id: string;
  readonly name: string;
  /** JSON text, parsed afresh for every attempt, as BullMQ does. */
  readonly data: string;
  readonly attempts: number;
  readonly backoffMs: number;
  /** When the job was first due; what `oldestWaitingSeconds` measures from. */
  readonly dueAt: number;
  attemptsMade: number;
  state: State;
  finishedAt?: number;
  timer?: NodeJS.Timeout;
}

/** Something that takes waiting jobs: a worker with free slots. */
export interface Consumer {
  hasCapacity(): boolean;
  start(job: StoredJob): void;
}

/** The jobs of one in-process queue, shared by every `MemoryJobQueue` handle and worker of that name. */
export class MemoryQueueStore {
  private readonly jobs = new Map<string, StoredJob>();
  private readonly waiting: StoredJob[] = [];
  private readonly finished: Record<'completed' | 'failed', StoredJob[]> = { completed: [], failed: [] };
  private readonly consumers = new Set<Consumer>();
  private sequence = 0;
  private dispatchScheduled = false;

  constructor(
    readonly name: string,
    private readonly log: Logger,
  ) {}

  add(name: string, data: unknown, options: NormalizedAddOptions): { id: string } {
    this.evictExpired();
    const existing = options.jobId === undefined ? undefined : this.jobs.get(options.jobId);
    if (existing) return { id: existing.id };
    const id = options.jobId ?? String(++this.sequence);
    const now = Date.now();
    const job: StoredJob = {
      id,
      name,
      data: JSON.stringify(data) ?? 'null',
      attempts: options.attempts,
      backoffMs: options.backoffMs,
      dueAt: now + options.delayMs,
      attemptsMade: 0,
      state: 'waiting',
    };
    this.jobs.set(id, job);
    if (options.delayMs > 0) this.delay(job, options.delayMs);
    else this.enqueue(job);
    return { id };
  }

  counts(): QueueCounts {
    const counts = { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 };
    for (const job of this.jobs.values()) counts[job.state] += 1;
    const oldest = this.waiting.reduce((min, job) => Math.min(min, job.dueAt), Infinity);
    const oldestWaitingSeconds = this.waiting.length > 0 ? Math.max(0, (Date.now() - oldest) / 1000) : null;
    return { ...counts, oldestWaitingSeconds };
  }

  attach(consumer: Consumer): void {
    this.consumers.add(consumer);
    this.scheduleDispatch();
  }

  detach(consumer: Consumer): void {
    this.consumers.delete(consumer);
  }

  completed(job: StoredJob): void {
    this.finish(job, 'completed', KEEP_COMPLETED.count);
  }

  failed(job: StoredJob, error: unknown): void {
    job.attemptsMade += 1;
    const context = { queue: this.name, jobId: job.id, jobName: job.name, attempt: job.attemptsMade };
    if (job.attemptsMade < job.attempts) {
      this.log.warn({ ...context, err: describeError(error) }, 'job attempt failed; will retry');
      this.delay(job, backoffDelay(job.backoffMs, job.attemptsMade));
      return;
    }
    this.log.error({ ...context, err: describeError(error) }, 'job failed after its last attempt');
    this.finish(job, 'failed', KEEP_FAILED.count);
  }

  /** A job whose handler was interrupted by a closing worker goes back first in line, its attempt unspent. */
  handBack(job: StoredJob): void {
    job.state = 'waiting';
    this.waiting.unshift(job);
    this.scheduleDispatch();
  }

  /** Drops pending timers so a forgotten queue never keeps the process alive or fires after close. */
  close(): void {
    for (const job of this.jobs.values()) clearTimeout(job.timer);
    this.consumers.clear();
  }

  private enqueue(job: StoredJob): void {
    job.state = 'waiting';
    this.waiting.push(job);
    this.scheduleDispatch();
  }

  private delay(job: StoredJob, ms: number): void {
    job.state = 'delayed';
    job.timer = setTimeout(() => {
      job.timer = undefined;
      this.enqueue(job);
    }, ms);
    job.timer.unref();
  }

  private finish(job: StoredJob, state: 'completed' | 'failed', keep: number): void {
    job.state = state;
    job.finishedAt = Date.now();
    const list = this.finished[state];
    list.push(job);
    for (const evicted of list.splice(0, Math.max(0, list.length - keep))) this.jobs.delete(evicted.id);
  }

  private evictExpired(): void {
    const now = Date.now();
    for (const [state, keep] of [
      ['completed', KEEP_COMPLETED],
      ['failed', KEEP_FAILED],
    ] as const) {
      const list = this.finished[state];
      while (list[0] && now - (list[0].finishedAt ?? now) > keep.ageSeconds * 1000)
        this.jobs.delete(list.shift()!.id);
    }
  }

  // Dispatch runs a microtask later, so `add` returns before any handler starts, as with Redis.
  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    queueMicrotask(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const consumer of this.consumers) {
      while (this.waiting.length > 0 && consumer.hasCapacity()) {
        const job = this.waiting.shift()!;
        job.state = 'active';
        consumer.start(job);
      }
    }
  }

  /** Called by consumers when a slot frees up. */
  wake(): void {
    this.scheduleDispatch();
  }
}

/**
 * Background jobs. Both implementations share these semantics (one contract suite checks them):
 * - `add` with a `jobId` already known to the queue (waiting, active, delayed, or kept after it finished)
 *   adds nothing and returns that job's id.
 * - A handler that throws is retried up to `attempts` times in all, waiting `backoffMs * 2^(n-1)` after the
 *   n-th failure; then the job is failed.
 * - Data travels as JSON. Delivery is at-least-once: handlers must be idempotent.
 * - A worker runs at most `concurrency` handlers at once. Its `close()` stops taking jobs, aborts
 *   `job.signal`, waits for running handlers (bounded by `closeTimeoutMs`), and hands a job whose handler
 *   failed after the abort back to the queue without spending an attempt.
 */
export interface QueueJob<T> {
  id: string;
  name: string;
  data: T;
  /** 1-based: 1 on the first run, 2 after one failure, and so on. */
  attempt: number;
  /** Aborted when the worker is closing: finish quickly or throw, and the job is handed back to the queue. */
  signal: AbortSignal;
}

export interface AddJobOptions {
  /** Idempotency key: a second `add` with the same id is a no-op. No `:` and not an integer. */
  jobId?: string;
  /** Runs in all before the job is failed. Default 3. */
  attempts?: number;
  /** Base of the exponential backoff between attempts. Default 1000 ms. */
  backoffMs?: number;
  /** Wait before the first run. Default 0. */
  delayMs?: number;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  /** Seconds since the oldest waiting job was first due (added, or added + delay); null when none waits. */
  oldestWaitingSeconds: number | null;
}

export interface JobQueue<T> {
  /** Rejects with `QueueUnavailableError` at once when the store is unreachable, instead of hanging. */
  add(name: string, data: T, options?: AddJobOptions): Promise<{ id: string }>;
  counts(): Promise<QueueCounts>;
  /** Stops accepting jobs (`add` then rejects with `QueueClosedError`). Does not stop workers. */
  close(): Promise<void>;
}

export interface JobWorker {
  close(): Promise<void>;
}

export type JobHandler<T> = (job: QueueJob<T>) => Promise<void>;

export interface WorkerOptions {
  /** Handlers running at once in this worker. */
  concurrency: number;
  /**
   * Redis only: how long a job stays locked to this worker without a renewal. The lock is renewed every
   * half of it while the process lives, so it does not limit job length; it bounds how long the job of a
   * crashed worker stays active before another worker takes it again. Default 30 000 ms.
   */
  lockDurationMs?: number;
  /** How long `close()` waits for running handlers before giving up on them. Default 10 000 ms. */
  closeTimeoutMs?: number;
}

export type StartWorker = <T>(name: string, handler: JobHandler<T>, options: WorkerOptions) => JobWorker;

/** Queues and workers of one backend; closing it closes every queue and worker it made. */
export interface QueueProvider {
  queue<T>(name: string): JobQueue<T>;
  worker: StartWorker;
  close(): Promise<void>;
}

export { QueueClosedError, QueueUnavailableError, DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS } from './options';
export { MemoryQueueProvider, MemoryJobQueue, MemoryJobWorker, type MemoryQueueOptions } from './memory';
export { BullMqQueueProvider, BullMqJobQueue, type BullMqQueueOptions } from './bullmq';
export { BullMqJobWorker } from './bullmq-worker';

import { setMaxListeners } from 'node:events';
import type { AddJobOptions, WorkerOptions } from './index';
import { withTimeout } from '../resilience/timing';

export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_MS = 1000;
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
/** Finished jobs kept (for `counts()` and jobId dedupe), by count and by age. */
export const KEEP_COMPLETED = { count: 1000, ageSeconds: 24 * 3600 };
export const KEEP_FAILED = { count: 5000, ageSeconds: 7 * 24 * 3600 };
/** How many finished jobs BullMQ keeps (dedupe and counts), shared by producers and workers. */
export const retention = {
  removeOnComplete: { count: KEEP_COMPLETED.count, age: KEEP_COMPLETED.ageSeconds },
  removeOnFail: { count: KEEP_FAILED.count, age: KEEP_FAILED.ageSeconds },
};

/** `add` after `close()`. */
export class QueueClosedError extends Error {
  readonly code = 'QUEUE_CLOSED';
  constructor(queue: string) {
    super(`job queue "${queue}" is closed`);
    this.name = 'QueueClosedError';
  }
}

/** The queue's store could not be reached; the job was not added. */
export class QueueUnavailableError extends Error {
  readonly code = 'QUEUE_UNAVAILABLE';
  constructor(queue: string, options?: { cause?: unknown }) {
    super(`job queue "${queue}" is unavailable: its store is not reachable`, options);
    this.name = 'QueueUnavailableError';
  }
}

export interface NormalizedAddOptions {
  jobId: string | undefined;
  attempts: number;
  backoffMs: number;
  delayMs: number;
}

/** Validates options the same way for both backends (BullMQ's own rules on job ids included). */
export function normalizeAddOptions(options: AddJobOptions = {}): NormalizedAddOptions {
  const { jobId, attempts = DEFAULT_ATTEMPTS, backoffMs = DEFAULT_BACKOFF_MS, delayMs = 0 } = options;
  if (jobId !== undefined) {
    if (jobId === '' || jobId.includes(':'))
      throw new TypeError('jobId must be non-empty and contain no ":"');
    if (`${parseInt(jobId, 10)}` === jobId) throw new TypeError('jobId must not be an integer');
  }
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError('attempts must be an integer >= 1');
  if (!(backoffMs >= 0)) throw new RangeError('backoffMs must be >= 0');
  if (!(delayMs >= 0)) throw new RangeError('delayMs must be >= 0');
  return { jobId, attempts, backoffMs, delayMs };
}

export function assertQueueName(name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes(':')) {
    throw new TypeError('queue name must be non-empty and contain no ":"');
  }
}

export function assertWorkerOptions(options: WorkerOptions): void {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError('concurrency must be an integer >= 1');
  }
}

/** Wait after the n-th failure (n = attemptsMade), the formula BullMQ's exponential backoff uses. */
export function backoffDelay(backoffMs: number, attemptsMade: number): number {
  return Math.round(2 ** (attemptsMade - 1) * backoffMs);
}

/**
 * The controller whose signal every running job of a worker is handed (`job.signal`). A handler listening on it
 * while it runs is the normal case, so a worker whose concurrency passes 10 would otherwise make Node print
 * MaxListenersExceededWarning (a leak warning) whenever that many jobs run at once.
 */
export function jobsStopController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** Resolves when `promise` settles or after `ms`, whichever is first; true when it settled in time. */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = promise.then(
    () => true,
    () => true,
  );
  return withTimeout(settled, ms).catch(() => false);
}

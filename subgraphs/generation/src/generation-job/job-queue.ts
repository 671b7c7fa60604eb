import { currentRequestContext } from '@atrium/platform/logging';

/**
 * What travels on the queue between the API (producer) and workers: the job's id and the correlation of the
 * request that queued it — never its prompt, never a credential.
 */
export interface QueuedGeneration {
  jobId: string;
  /** The request's correlation id, so the worker's log lines and provider calls carry it. */
  requestId?: string;
  /** The request's W3C trace id. */
  traceId?: string;
}

export const GENERATION_QUEUE = 'generation';

/** The current request's correlation, for a job it queues. */
export function queuedTrace(): Pick<QueuedGeneration, 'requestId' | 'traceId'> {
  const context = currentRequestContext();
  return context ? { requestId: context.requestId, traceId: context.traceId } : {};
}

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
  /** The span that queued it (exported spans only): the worker's span is its child. */
  spanId?: string;
}

export const GENERATION_QUEUE = 'generation';

/** The current request's correlation, for a job it queues. */
export function queuedTrace(): Pick<QueuedGeneration, 'requestId' | 'traceId' | 'spanId'> {
  const context = currentRequestContext();
  if (!context) return {};
  return {
    requestId: context.requestId,
    traceId: context.traceId,
    ...(context.tracer && context.spanId && { spanId: context.spanId }),
  };
}

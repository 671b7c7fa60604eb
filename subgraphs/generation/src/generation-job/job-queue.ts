import type { RequestContext } from '@atrium/platform/logging';

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

/**
 * The correlation of the request queuing a job (its GraphQL context's `trace`, the enqueue span when spans are
 * exported): the API serves without AsyncLocalStorage, so it is passed, never looked up.
 */
export function queuedTrace(
  context: Readonly<RequestContext> | undefined,
): Pick<QueuedGeneration, 'requestId' | 'traceId' | 'spanId'> {
  if (!context) return {};
  return {
    requestId: context.requestId,
    traceId: context.traceId,
    ...(context.tracer && context.spanId && { spanId: context.spanId }),
  };
}

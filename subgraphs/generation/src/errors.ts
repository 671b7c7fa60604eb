import { defineErrorCodes, errors as platformErrors } from '@atrium/platform/errors';

/** The generation subgraph's own error codes, on top of the platform's. */
export const generationErrors = defineErrorCodes({
  GENERATION_UNAVAILABLE: {
    description:
      'The generation service cannot take jobs right now (its queue or limiter store is unreachable); retry shortly.',
    httpStatus: 503,
  },
  QUEUE_UNAVAILABLE: {
    description:
      "A job's `error.code`: the job queue was unreachable when the job was stored; retry the job.",
    retryable: true,
  },
  ALL_PROVIDERS_FAILED: {
    description:
      "A job's `error.code`: every model provider of the job's route failed; the message names each one. " +
      '`error.retryable` is true when at least one failure was temporary (a timeout, 429, 5xx).',
    retryable: 'depends',
  },
  BUDGET_EXCEEDED: {
    description:
      "A job's `error.code`: the user's daily generation budget cannot cover this job's worst case; it resets at 00:00 UTC.",
    retryable: false,
  },
  PROVIDER_KEY_REJECTED: {
    description:
      "A job's `error.code`: the provider answered 401 to the user's own API key (from integrations); the connection is now REFRESH_FAILED. Connect a valid key, then retry.",
    retryable: false,
  },
  JOB_STALLED: {
    description:
      "A job's `error.code`: the worker running the job stopped renewing its lease (it died) on the job's last " +
      'attempt; the stalled-job sweep failed it once (with attempts left it queues the job again). Retry the job.',
    retryable: true,
  },
});

export const errors = { ...platformErrors, ...generationErrors };

/** A code a client can read on a failed job (`GenerationJob.error.code`): only registered codes. */
export type JobErrorCode = keyof typeof errors;

/** The error columns of a failed job, from a registered code. */
export function jobFailure(
  code: JobErrorCode,
  message: string,
  retryable: boolean,
): { errorCode: JobErrorCode; errorMessage: string; errorRetryable: boolean } {
  return { errorCode: code, errorMessage: message, errorRetryable: retryable };
}

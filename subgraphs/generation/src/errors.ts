import { defineErrorCodes, errors as platformErrors } from '@atrium/platform/errors';

/** The generation subgraph's own error codes, on top of the platform's. */
export const generationErrors = defineErrorCodes({
  GENERATION_UNAVAILABLE: {
    description:
      'The generation service cannot take jobs right now (its queue or limiter store is unreachable); retry shortly.',
    httpStatus: 503,
  },
});

export const errors = { ...platformErrors, ...generationErrors };

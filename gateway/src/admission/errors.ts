import { defineErrorCodes } from '@atrium/platform/errors';

export const admissionErrors = defineErrorCodes({
  OVERLOADED: {
    description:
      'The gateway is at capacity and refused the request before doing any work; retry after the `Retry-After` header (`extensions.retryAfterSeconds`).',
    httpStatus: 503,
  },
});

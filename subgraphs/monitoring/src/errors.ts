import { errors as platformErrors } from '@atrium/platform/errors';

/** The codes monitoring returns: the platform's (NOT_FOUND, BAD_USER_INPUT, FORBIDDEN…); none of its own yet. */
export const monitoringErrors = { ...platformErrors };

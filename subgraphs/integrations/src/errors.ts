import { defineErrorCodes, errors as platformErrors } from '@atrium/platform/errors';

/** The integrations subgraph's own error codes, on top of the platform's. */
export const integrationsErrors = defineErrorCodes({
  PROVIDER_NOT_CONFIGURED: {
    description:
      'This deployment holds no OAuth client credentials for the provider (see `configured`), so it cannot be connected.',
    httpStatus: 400,
  },
  OAUTH_STATE_INVALID: {
    description:
      'The OAuth `state` is missing, unknown, already used or belongs to another user; start the connection again.',
    httpStatus: 400,
  },
  OAUTH_STATE_EXPIRED: {
    description: 'The OAuth `state` is older than its 10-minute lifetime; start the connection again.',
    httpStatus: 400,
  },
  OAUTH_PROVIDER_ERROR: {
    description:
      'The provider refused the authorization or token request (e.g. access denied, invalid or reused code, PKCE mismatch); `extensions.providerError` names its reason.',
    httpStatus: 400,
  },
  API_KEY_INVALID: {
    description:
      "The API key does not have the provider's format, or the provider rejected it when Atrium tried it.",
    httpStatus: 400,
  },
  PROVIDER_UNAVAILABLE: {
    description:
      'The provider could not be reached or did not answer in time; nothing was changed. Retry later.',
    httpStatus: 503,
  },
  WEBHOOK_SIGNATURE_INVALID: {
    description:
      'A webhook delivery is unsigned, its signature does not match its body, or its provider has no signing secret configured; nothing was stored.',
    httpStatus: 401,
  },
  WEBHOOK_TIMESTAMP_STALE: {
    description:
      "A webhook delivery's signed timestamp is outside the 5-minute window (a replay or a skewed clock); nothing was stored.",
    httpStatus: 401,
  },
});

export const errors = { ...platformErrors, ...integrationsErrors };

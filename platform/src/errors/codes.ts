import { defineErrorCodes } from './registry';

/**
 * The codes every Atrium service may return (the public contract's error header and ARCHITECTURE.md). Apollo
 * Server's own codes are registered too, so its parse and validation errors keep their messages.
 */
export const errors = defineErrorCodes({
  UNAUTHENTICATED: {
    description: 'No valid credentials: the access token or API key is missing, expired or invalid.',
    httpStatus: 401,
  },
  FORBIDDEN: {
    description: 'The caller is authenticated but may not perform this operation or read this field.',
    httpStatus: 403,
  },
  NOT_FOUND: { description: 'The object does not exist or is not visible to the caller.', httpStatus: 404 },
  BAD_USER_INPUT: {
    description: 'An argument or input value is invalid; extensions may name the offending fields.',
    httpStatus: 400,
  },
  RATE_LIMITED: {
    description: 'Too many requests; retry after `extensions.retryAfterSeconds` seconds.',
    httpStatus: 429,
  },
  CONFLICT: {
    description:
      'The operation conflicts with the current state, e.g. a value that must be unique already exists.',
    httpStatus: 409,
  },
  INTERNAL_SERVER_ERROR: {
    description:
      'An unexpected error. The message is hidden; quote `extensions.requestId` to find it in the logs.',
    httpStatus: 500,
    expose: false,
    // A fault of ours: a retry may or may not meet it again (a failed job says which in `error.retryable`).
    retryable: 'depends',
  },
  SUBGRAPH_UNAVAILABLE: {
    description:
      'A service behind the gateway could not be reached; fields served by other services still resolve.',
    httpStatus: 502,
  },
  GATEWAY_TIMEOUT: { description: 'A service behind the gateway did not answer in time.', httpStatus: 504 },
  GRAPHQL_VALIDATION_FAILED: {
    description:
      'The operation is invalid for the schema or exceeds a limit (depth, aliases, cost, introspection).',
    httpStatus: 400,
  },
  GRAPHQL_PARSE_FAILED: {
    description: 'The document is not valid GraphQL syntax or exceeds the token limit.',
    httpStatus: 400,
  },
  PERSISTED_QUERY_NOT_FOUND: {
    description: 'The persisted query hash is unknown to the server; send the full query with it.',
  },
  PERSISTED_QUERY_NOT_SUPPORTED: { description: 'This server does not accept persisted queries.' },
  BAD_REQUEST: {
    description:
      'The HTTP request is malformed: body, content type, method, or a missing CSRF-prevention header.',
    httpStatus: 400,
  },
  PAYLOAD_TOO_LARGE: { description: 'The request body is larger than the server accepts.', httpStatus: 413 },
  OPERATION_RESOLUTION_FAILURE: {
    description: 'The operation to run could not be determined (missing or unknown `operationName`).',
    httpStatus: 400,
  },
  SUBSCRIPTION_UPSTREAM_ERROR: {
    description:
      'The service producing the subscription failed or closed its stream; the subscription has ended.',
  },
  SUBSCRIPTION_SCHEMA_RELOAD: {
    description: 'The gateway loaded a new schema; the subscription has ended and may be started again.',
  },
  SUBSCRIPTION_JWT_EXPIRED: {
    description:
      'The access token of the connection expired; the subscription has ended. Reconnect with a new token.',
  },
  SUBSCRIPTION_MAX_LIMIT: {
    description: 'Too many subscriptions for this connection or user; the new subscription was refused.',
  },
});

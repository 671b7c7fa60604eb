import { HeaderMap } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import {
  defineErrorCodes,
  errorCodeDefinition,
  errors,
  maskError,
  stripSuggestions,
} from '@atrium/platform/errors';
import type { Logger } from '@atrium/platform/logging';

/** Client mistakes only the gateway's HTTP path can make; each a 4xx with its own code, never a logged fault. */
export const gatewayErrors = defineErrorCodes({
  DOCUMENT_TOO_LARGE: {
    description:
      'The GraphQL document (the `query` text, comments included) is larger than MAX_DOCUMENT_BYTES; send a smaller one.',
    httpStatus: 413,
  },
  PERSISTED_QUERY_HASH_MISMATCH: {
    description: 'The `persistedQuery.sha256Hash` extension is not the SHA-256 of the `query` sent with it.',
    httpStatus: 400,
  },
  TOO_MANY_ENTITIES: {
    description:
      'Resolving the operation would make the gateway fetch more entities from a subgraph than it allows in one fetch (MAX_ENTITY_REPRESENTATIONS) or in one request (MAX_REQUEST_ENTITY_REPRESENTATIONS); nothing more was fetched. `extensions.scope` says which (`fetch` or `request`), `extensions.limit` the bound. Ask for smaller pages or fewer nested lists.',
    httpStatus: 400,
  },
  PERSISTED_QUERY_VERSION_UNSUPPORTED: {
    description: 'The `persistedQuery.version` extension is not 1, the only version the gateway accepts.',
    httpStatus: 400,
  },
});

export type GatewayErrorCode = keyof typeof gatewayErrors;

/** The one error of a subgraph that could not be used: down, 5xx, unreadable, or its breaker open. */
export function subgraphUnavailable(subgraph: string): GraphQLError {
  return errors.SUBGRAPH_UNAVAILABLE(`The ${subgraph} service is unavailable`, { service: subgraph });
}

/** A subgraph call or the whole request ran out of time. */
export function gatewayTimeout(subgraph: string): GraphQLError {
  return errors.GATEWAY_TIMEOUT(`The ${subgraph} service did not answer in time`, { service: subgraph });
}

/** RATE_LIMITED with `retryAfterSeconds`, answered as HTTP 429 with a Retry-After header. */
export function rateLimited(retryAfterMs: number, what = 'requests'): GraphQLError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return errors.RATE_LIMITED(`Too many ${what}; retry in ${seconds} s`, {
    retryAfterSeconds: seconds,
    http: { status: 429, headers: new HeaderMap([['retry-after', String(seconds)]]) },
  });
}

/** The same error answered with `status` (Apollo reads `extensions.http`; formatError removes it). */
export function withHttpStatus(error: GraphQLError, status: number): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { ...error.extensions, http: { status, headers: new HeaderMap() } },
    originalError: error,
  });
}

/**
 * A coded error thrown while building the context (authentication) keeps its code's HTTP status, e.g. 401;
 * Apollo would answer 500 otherwise. Anything else is rethrown untouched (and masked).
 */
export function contextError(error: unknown): unknown {
  if (!(error instanceof GraphQLError) || error.extensions.http) return error;
  const code = error.extensions.code;
  const status = typeof code === 'string' ? errorCodeDefinition(code)?.httpStatus : undefined;
  return status === undefined ? error : withHttpStatus(error, status);
}

// Errors that came back in a subgraph's GraphQL response. The subgraph masked them already (platform
// maskError), so their codes — including codes only that subgraph defines — are safe to show.
const downstream = new WeakSet<object>();

const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const UNSAFE_EXTENSIONS = new Set(['stacktrace', 'exception', 'originalError', 'http', 'serviceName']);
const MAX_MESSAGE = 1000;

/**
 * Rebuilds a subgraph's `errors` from scratch: message, path and a well-formed code, other extensions minus
 * anything server-side; never its locations (they point into the subgraph's query, not the client's).
 */
export function adoptSubgraphErrors(raw: unknown): GraphQLFormattedError[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  return raw.map((item: unknown) => {
    const source = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const extensions: Record<string, unknown> = {};
    const given = source.extensions;
    if (typeof given === 'object' && given !== null) {
      for (const [key, value] of Object.entries(given))
        if (!UNSAFE_EXTENSIONS.has(key)) extensions[key] = value;
    }
    const code = extensions.code;
    extensions.code = typeof code === 'string' && CODE.test(code) ? code : 'INTERNAL_SERVER_ERROR';
    const message = typeof source.message === 'string' ? source.message.slice(0, MAX_MESSAGE) : 'Error';
    const path = Array.isArray(source.path)
      ? source.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number')
      : undefined;
    const error: GraphQLFormattedError = { message, ...(path ? { path } : {}), extensions };
    downstream.add(error);
    return error;
  });
}

/**
 * The gateway's formatError. Errors a subgraph returned keep their code (unless INTERNAL_SERVER_ERROR or
 * uncoded, which are masked again with the gateway's request id); everything else goes through platform
 * maskError: registered, exposed codes keep their message, anything else becomes INTERNAL_SERVER_ERROR.
 */
export function formatGatewayError(
  formatted: GraphQLFormattedError,
  error: unknown,
  options: { log: Logger; requestId: string | undefined },
): GraphQLFormattedError {
  const origin = originalOf(error);
  const code = origin && downstream.has(origin) ? (origin.extensions?.code as string) : undefined;
  if (code === undefined || code === 'INTERNAL_SERVER_ERROR' || errorCodeDefinition(code)?.expose === false) {
    return maskError(formatted, error, { log: options.log, requestId: options.requestId });
  }
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(formatted.extensions ?? {}))
    if (!UNSAFE_EXTENSIONS.has(key)) extensions[key] = value;
  extensions.code = code;
  if (options.requestId !== undefined) extensions.requestId = options.requestId;
  return {
    message: stripSuggestions(formatted.message),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions,
  };
}

function originalOf(error: unknown): GraphQLFormattedError | undefined {
  const original = (error as { originalError?: unknown } | null)?.originalError;
  return typeof original === 'object' && original !== null ? (original as GraphQLFormattedError) : undefined;
}

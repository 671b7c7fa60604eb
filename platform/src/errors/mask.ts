import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { currentRequestId } from '../logging/context';
import { errorCodeDefinition } from './registry';

export interface MaskErrorOptions {
  /** Where an unexpected error is logged in full (error level, with the request id). */
  log: Logger;
  /** Added to every error's extensions. Default: the current request's id (`currentRequestId()`), if any. */
  requestId?: string;
  /**
   * Keep `path` on a masked error. Default false: the hardening catalogue promises that an unexpected error shows
   * a client nothing but the code and the request id.
   */
  exposeInternalPath?: boolean;
}

const INTERNAL_MESSAGE = 'Internal server error';
const MAX_CHAIN = 16;

// Extensions that describe the server, not the request: stack traces, wrapped exceptions, Apollo's HTTP hints.
const UNSAFE_EXTENSIONS = new Set(['stacktrace', 'exception', 'originalError', 'http']);

// graphql-js appends ` Did you mean "x", "y", or "z"?` to validation and coercion messages, which would let
// anyone enumerate hidden fields, arguments, types and enum values.
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** Removes graphql-js "Did you mean …?" suggestions from a message. */
export function stripSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

/**
 * The one `formatError` of every Atrium server (Apollo: `formatError: (f, e) => maskError(f, e, { log })`).
 *
 * An error carrying a registered, exposed code anywhere in its `originalError` chain keeps its message (without
 * suggestions), code, locations, path and extensions, minus stack traces and wrapped exceptions. Anything else —
 * a plain Error, an unknown code, INTERNAL_SERVER_ERROR, an uncoded GraphQLError — becomes
 * `{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }` and is logged
 * in full at error level. Never throws.
 */
export function maskError(
  formatted: GraphQLFormattedError,
  error: unknown,
  options: MaskErrorOptions,
): GraphQLFormattedError {
  const requestId = options.requestId ?? currentRequestId();
  const chain = errorChain(error);
  const coded = chain.find((e) => codeOf(e) !== undefined);
  const code = coded === undefined ? undefined : codeOf(coded);
  const definition = code === undefined ? undefined : errorCodeDefinition(code);
  if (coded !== undefined && code !== undefined && definition !== undefined && definition.expose !== false) {
    return exposed(formatted, coded, code, coded === error ? formatted.message : messageOf(coded), requestId);
  }
  const root = chain[chain.length - 1] ?? error;
  options.log.error(
    { err: root, requestId, path: formatted.path, errorCode: code },
    'unexpected error masked as INTERNAL_SERVER_ERROR',
  );
  return {
    message: INTERNAL_MESSAGE,
    ...(options.exposeInternalPath && formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId === undefined ? {} : { requestId }) },
  };
}

function exposed(
  formatted: GraphQLFormattedError,
  coded: object,
  code: string,
  message: string,
  requestId: string | undefined,
): GraphQLFormattedError {
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries({ ...extensionsOf(coded), ...formatted.extensions })) {
    if (!UNSAFE_EXTENSIONS.has(key)) extensions[key] = value;
  }
  extensions.code = code;
  if (requestId !== undefined) extensions.requestId = requestId;
  return {
    message: stripSuggestions(message),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions,
  };
}

/** The error, then what it wraps: Apollo's resolver unwrapping, then every `originalError` (cycle-safe). */
function errorChain(error: unknown): object[] {
  const chain: object[] = [];
  let current: unknown = error;
  while (
    typeof current === 'object' &&
    current !== null &&
    !chain.includes(current) &&
    chain.length < MAX_CHAIN
  ) {
    chain.push(current);
    const unwrapped = unwrapResolverError(current);
    current = unwrapped !== current ? unwrapped : (current as { originalError?: unknown }).originalError;
  }
  return chain;
}

function extensionsOf(error: object): Record<string, unknown> {
  const extensions = (error as { extensions?: unknown }).extensions;
  return typeof extensions === 'object' && extensions !== null ? (extensions as Record<string, unknown>) : {};
}

function codeOf(error: object): string | undefined {
  const code = extensionsOf(error).code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: object): string {
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? message : INTERNAL_MESSAGE;
}

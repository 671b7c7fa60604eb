import { GraphQLError } from 'graphql';

/** One error code: what it means to a client, and how it maps to HTTP where it ends a request early. */
export interface ErrorCodeDefinition {
  /** What the code means, for the generated error-code reference. */
  description: string;
  /** The HTTP status a server uses when this error ends a request before execution (e.g. 401, 429). */
  httpStatus?: number;
  /**
   * true (default): the message was written for clients and is shown as is. false: the message is internal, so
   * `maskError` replaces it like an uncoded error (INTERNAL_SERVER_ERROR).
   */
  expose?: boolean;
  /**
   * Whether the same request may succeed later unchanged. Default: true for 429, 502, 503 and 504, false
   * otherwise; 'depends' when the error itself says (e.g. a job's `error.retryable`).
   */
  retryable?: boolean | 'depends';
}

/** A factory for one code: `errors.NOT_FOUND('Job not found', { id })`. */
export type ErrorFactory = (message: string, extensions?: Record<string, unknown>) => GraphQLError;

export interface RegisteredErrorCode extends ErrorCodeDefinition {
  code: string;
}

const registry = new Map<string, RegisteredErrorCode>();

/**
 * Registers every code of `definitions` in the process-wide registry and returns one factory per code. A code
 * registered again with the same description is accepted (two packages may share one); with a different
 * description it throws, because one code would then mean two things to clients.
 */
export function defineErrorCodes<T extends Record<string, ErrorCodeDefinition>>(
  definitions: T,
): { [K in keyof T]: ErrorFactory } {
  for (const [code, definition] of Object.entries(definitions)) register(code, definition);
  const factories: Record<string, ErrorFactory> = {};
  for (const code of Object.keys(definitions)) {
    // `code` goes last so an extension can never relabel the error.
    factories[code] = (message, extensions) =>
      new GraphQLError(message, { extensions: { ...extensions, code } });
  }
  return factories as { [K in keyof T]: ErrorFactory };
}

function register(code: string, definition: ErrorCodeDefinition): void {
  const existing = registry.get(code);
  if (existing && existing.description !== definition.description) {
    throw new Error(`Error code ${code} is already defined as "${existing.description}"`);
  }
  if (!existing) registry.set(code, { code, ...definition });
}

/** Every registered code, sorted by code (the input of docs/errors.md). */
export function registeredErrorCodes(): Array<{
  code: string;
  description: string;
  httpStatus?: number;
  retryable: boolean | 'depends';
}> {
  return [...registry.values()]
    .sort((a, b) => a.code.localeCompare(b.code))
    .map(({ code, description, httpStatus, retryable }) => ({
      code,
      description,
      ...(httpStatus === undefined ? {} : { httpStatus }),
      retryable: retryable ?? isRetryableStatus(httpStatus),
    }));
}

function isRetryableStatus(status: number | undefined): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/** The definition of a registered code, or undefined. */
export function errorCodeDefinition(code: string): Readonly<RegisteredErrorCode> | undefined {
  return registry.get(code);
}

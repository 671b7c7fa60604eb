/** A GraphQL error as the console shows it: the API's code (extensions.code) and its message. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface FormattedError {
  message?: string;
  extensions?: { code?: unknown };
}

/** The first error of a GraphQL answer (or a graphql-ws error frame) as an ApiError. */
export function apiError(
  errors: readonly FormattedError[] | undefined,
  fallback = 'Request failed',
): ApiError {
  const first = errors?.[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
  return new ApiError(code, first?.message ?? fallback);
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logging';

/** A GraphQL-shaped JSON error body, so every client reads one error format even outside GraphQL. */
export function errorBody(message: string, code: string, extensions: Record<string, unknown> = {}): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
}

/**
 * Turns body-parser and other express errors into coded JSON: 413 for an oversized body, 400 for malformed
 * JSON, 500 (masked, logged) for anything else. Express's default handler would print a stack in development.
 */
export function jsonErrorHandler(log: Logger): ErrorRequestHandler {
  return (error: { type?: string; status?: number; statusCode?: number }, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = error.status ?? error.statusCode ?? 500;
    const requestId = res.locals.requestId as string | undefined;
    if (error.type === 'entity.too.large') {
      res
        .status(413)
        .type('application/json')
        .send(errorBody('Request body too large', 'PAYLOAD_TOO_LARGE', { requestId }));
    } else if (status >= 400 && status < 500) {
      res
        .status(status)
        .type('application/json')
        .send(errorBody('Malformed request body', 'BAD_REQUEST', { requestId }));
    } else {
      log.error({ err: error }, 'unhandled HTTP error');
      res
        .status(500)
        .type('application/json')
        .send(errorBody('Internal server error', 'INTERNAL_SERVER_ERROR', { requestId }));
    }
  };
}

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).type('application/json').send(errorBody('Not found', 'NOT_FOUND'));
};

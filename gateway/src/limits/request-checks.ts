import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { errorBody } from '@atrium/platform/server';
import type { GatewayErrorCode } from '../errors';

/**
 * The error for a document larger than `maxBytes` (UTF-8), or undefined. The token limit does not see
 * comments, and a parsed document keeps its whole source alive in every cache that holds it, so the size of the
 * text itself is bounded before anything parses or stores it. Transports other than HTTP call this too.
 */
export function documentSizeProblem(
  query: unknown,
  maxBytes: number,
): { message: string; code: GatewayErrorCode; extensions: Record<string, unknown> } | undefined {
  if (typeof query !== 'string') return undefined;
  // Cheap bound first: a UTF-8 byte is at least one UTF-16 unit and at most three.
  if (query.length * 3 <= maxBytes) return undefined;
  const bytes = Buffer.byteLength(query, 'utf8');
  if (bytes <= maxBytes) return undefined;
  return {
    message: `The GraphQL document is ${bytes} bytes; the limit is ${maxBytes}.`,
    code: 'DOCUMENT_TOO_LARGE' satisfies GatewayErrorCode,
    extensions: { maxDocumentBytes: maxBytes },
  };
}

/**
 * Express middleware in front of Apollo: rejects an oversized document (413 DOCUMENT_TOO_LARGE) and a
 * malformed persisted-query extension (400 PERSISTED_QUERY_HASH_MISMATCH / PERSISTED_QUERY_VERSION_UNSUPPORTED)
 * with their own codes. Apollo answers the latter with an uncoded error, which masking would turn into
 * INTERNAL_SERVER_ERROR, logged as a server fault.
 */
export function requestChecks(options: { maxDocumentBytes: number }): RequestHandler {
  return (req, res, next) => {
    const problem = check(req, options.maxDocumentBytes);
    if (!problem) return next();
    res
      .status(problem.status)
      .type('application/json')
      .send(
        errorBody(problem.message, problem.code, {
          ...problem.extensions,
          requestId: res.locals.requestId as string | undefined,
        }),
      );
  };
}

interface Problem {
  status: number;
  message: string;
  code: string;
  extensions?: Record<string, unknown>;
}

function check(req: Request, maxDocumentBytes: number): Problem | undefined {
  const params = req.method === 'GET' ? (req.query as Record<string, unknown>) : (req.body as unknown);
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const { query } = params as { query?: unknown };
  const tooLarge = documentSizeProblem(query, maxDocumentBytes);
  if (tooLarge) return { status: 413, ...tooLarge };
  const persisted = persistedQueryOf(params as Record<string, unknown>);
  if (persisted === undefined) return undefined;
  if (persisted.version !== 1)
    return {
      status: 400,
      message: 'Unsupported persisted query version; only version 1 is supported.',
      code: 'PERSISTED_QUERY_VERSION_UNSUPPORTED' satisfies GatewayErrorCode,
    };
  if (typeof query === 'string' && sha256(query) !== persisted.sha256Hash)
    return {
      status: 400,
      message: 'The persisted query hash does not match the SHA-256 of the query.',
      code: 'PERSISTED_QUERY_HASH_MISMATCH' satisfies GatewayErrorCode,
    };
  return undefined;
}

function persistedQueryOf(params: Record<string, unknown>): Record<string, unknown> | undefined {
  let extensions = params.extensions;
  // GET carries extensions as a JSON string; Apollo reports an unparsable one itself (400 BAD_REQUEST).
  if (typeof extensions === 'string') {
    try {
      extensions = JSON.parse(extensions) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof extensions !== 'object' || extensions === null) return undefined;
  const persisted = (extensions as { persistedQuery?: unknown }).persistedQuery;
  return typeof persisted === 'object' && persisted !== null
    ? (persisted as Record<string, unknown>)
    : undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

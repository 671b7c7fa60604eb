import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';
import type { Tracer } from '@opentelemetry/api';
import type { RequestHandler, Response } from 'express';

/** What every log line and masked error inside one request (or one job it queued) can know about it. */
export interface RequestContext {
  /** The correlation id: in every log line, the `x-request-id` header and error extensions. */
  requestId: string;
  /** W3C trace id (32 hex) this work belongs to; equals `requestId` unless the caller chose its own id. */
  traceId?: string;
  /**
   * The current span: the caller's (from its `traceparent`) until this process starts one. Outgoing calls and new
   * spans name it as their parent.
   */
  spanId?: string;
  /** This process's tracer when spans are exported (OTEL_EXPORTER_OTLP_ENDPOINT); see platform/tracing. */
  tracer?: Tracer;
}

const storage = new AsyncLocalStorage<RequestContext>();

// A caller-chosen id is kept so a trace can be followed across services, but only in a shape that cannot
// inject anything into log lines or headers, and short enough not to bloat every line.
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;
// W3C Trace Context, version 00: version-traceid-parentid-flags; all-zero ids are invalid.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const TRACE_ID = /^[0-9a-f]{32}$/;

/** Runs `fn` (and everything it starts asynchronously) with `context` as the current request. */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The request id of the request being handled, or undefined outside a request. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** The current request's context, or undefined outside a request. */
export function currentRequestContext(): Readonly<RequestContext> | undefined {
  return storage.getStore();
}

/** The trace id of a valid W3C `traceparent` header, or undefined. */
export function traceIdOf(traceparent: string | string[] | undefined): string | undefined {
  return parseTraceparent(traceparent)?.traceId;
}

function parseTraceparent(
  traceparent: string | string[] | undefined,
): { traceId: string; spanId: string } | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]! };
}

/**
 * Headers that carry the current request into an outgoing call (a subgraph, a model provider, a webhook):
 * `x-request-id` and a W3C `traceparent` continuing its trace with a new span id. Empty outside a request.
 */
export function traceHeaders(context = storage.getStore()): Record<string, string> {
  if (!context) return {};
  const traceId =
    context.traceId ?? (TRACE_ID.test(context.requestId) ? context.requestId : undefined) ?? newTraceId();
  return {
    'x-request-id': context.requestId,
    // With spans exported, the current span is the parent; without, a fresh id stands for this call.
    traceparent: `00-${traceId}-${context.tracer && context.spanId ? context.spanId : randomHex(8)}-01`,
  };
}

function newTraceId(): string {
  return randomHex(16);
}

// A gateway makes several subgraph calls per request, each with a new span id: one fill of the pool from the
// CSPRNG serves 512 of them instead of one crypto call (and its buffer) each. Ids are not secrets, only unique.
const POOL = Buffer.allocUnsafe(4096);
let poolOffset = POOL.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const hex = POOL.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

/**
 * The context of an incoming request: the trace of a valid W3C `traceparent` is continued; the correlation id is a
 * well-formed `x-request-id` (`/^[A-Za-z0-9._-]{8,64}$/`) when given, else the trace id — so without a caller's
 * own id, the correlation id and the trace id are one value.
 */
export function incomingContext(headers: Record<string, string | string[] | undefined>): RequestContext {
  const incoming = headers['x-request-id'];
  const ownId = typeof incoming === 'string' && ACCEPTED_REQUEST_ID.test(incoming) ? incoming : undefined;
  const parent = parseTraceparent(headers.traceparent);
  const traceId = parent?.traceId ?? (ownId && TRACE_ID.test(ownId) ? ownId : undefined) ?? newTraceId();
  return { requestId: ownId ?? traceId, traceId, ...(parent && { spanId: parent.spanId }) };
}

/**
 * The request's context as the request-id middleware (and the tracing middleware, when spans are exported) left it
 * in `res.locals`: how a service without AsyncLocalStorage (the gateway, the subgraphs) builds its GraphQL context.
 */
export function requestContextOf(res: Response): RequestContext {
  const locals = res.locals;
  return {
    requestId: locals.requestId as string,
    traceId: locals.traceId as string | undefined,
    spanId: locals.spanId as string | undefined,
    tracer: locals.tracer as Tracer | undefined,
  };
}

/**
 * Express middleware giving every request its context (see `incomingContext`). Sets `res.locals.requestId`,
 * `res.locals.traceId` and the `x-request-id` response header, and runs the rest of the chain inside
 * `runWithRequestContext`. Mount it first.
 *
 * `asyncContext: false` leaves AsyncLocalStorage out: the process then never turns on Node's promise hooks, which
 * otherwise run on every promise it creates (a gateway creates hundreds per request). Such a service passes the
 * request's id and logger explicitly (the gateway's GraphQL context) instead of reading `currentRequestContext()`.
 */
export function requestIdMiddleware(options: { asyncContext?: boolean } = {}): RequestHandler {
  const asyncContext = options.asyncContext ?? true;
  return (req, res, next) => {
    const context = incomingContext(req.headers);
    res.locals.requestId = context.requestId;
    res.locals.traceId = context.traceId;
    res.locals.spanId = context.spanId;
    res.setHeader('x-request-id', context.requestId);
    if (asyncContext) runWithRequestContext(context, () => next());
    else next();
  };
}

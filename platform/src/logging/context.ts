import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

/** What every log line and masked error inside one request can know about it. */
export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

// A caller-chosen id is kept so a trace can be followed across services, but only in a shape that cannot
// inject anything into log lines or headers, and short enough not to bloat every line.
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Runs `fn` (and everything it starts asynchronously) with `context` as the current request. */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The request id of the request being handled, or undefined outside a request. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/**
 * Express middleware giving every request an id: the incoming `x-request-id` when it matches
 * `/^[A-Za-z0-9._-]{8,64}$/`, otherwise a fresh UUID. Sets `res.locals.requestId` and the `x-request-id` response
 * header, and runs the rest of the chain inside `runWithRequestContext`. Mount it first.
 */
export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const requestId =
      typeof incoming === 'string' && ACCEPTED_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    runWithRequestContext({ requestId }, () => next());
  };
}

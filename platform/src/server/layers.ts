import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';

type Handler = RequestHandler | ErrorRequestHandler;

/**
 * Several handlers mounted as one router layer, run in order with the router's own rules: `next()` (and
 * `next('route')`, which for mounted middleware means the same) goes on to the next handler, `next(error)` skips
 * to the next error handler (four parameters) and otherwise leaves with the error, `next('router')` leaves the
 * router, a handler that throws or returns a rejected promise passes its error on; after the last handler the
 * request goes on to the router's next layer. `app.use(path, a, b, c)` makes one layer per handler, and express
 * re-matches the path, strips the mount prefix and restores the URL for each of them, on every request.
 */
export function inOrder(handlers: readonly Handler[]): RequestHandler {
  const list = [...handlers];
  return (req, res, leave) => {
    let index = 0;
    const next: NextFunction = (signal?: unknown) => {
      const error = signal === 'route' ? undefined : signal;
      if (error === 'router') return leave('router');
      while (index < list.length) {
        const handler = list[index++]!;
        if (error ? handler.length !== 4 : handler.length > 3) continue;
        invoke(handler, error, req, res, next);
        return;
      }
      // `error || undefined`: the router treats any falsy value as no error, so does the layer after it.
      leave(error || undefined);
    };
    next();
  };
}

function invoke(handler: Handler, error: unknown, req: Request, res: Response, next: NextFunction) {
  try {
    const returned: unknown = error
      ? (handler as ErrorRequestHandler)(error, req, res, next)
      : (handler as RequestHandler)(req, res, next);
    if (isThenable(returned))
      returned.then(undefined, (rejection: unknown) => next(rejection || new Error('Rejected promise')));
  } catch (thrown) {
    next(thrown);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * `handler` for every request except those `bypass` picks, which go straight on to the next layer. For routers
 * that can do nothing for such a request: express would enter the router and try each of its routes only to
 * find none that answers. `bypass` must pick only requests none of the router's layers matches by path and
 * method (a route with parameters can fail on a malformed path even for a method it does not answer).
 */
export function unless(bypass: (req: Request) => boolean, handler: RequestHandler): RequestHandler {
  return (req, res, next) => (bypass(req) ? next() : handler(req, res, next));
}

/**
 * Requests a router of GET routes only (no parameters, no middleware of its own) never answers: any method but
 * GET, HEAD (answered by GET routes) and OPTIONS (answered with the routes' methods).
 */
export function notARead(req: Request): boolean {
  const { method } = req;
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}

import type { Request, RequestHandler, Response } from 'express';
import type { Histogram } from 'prom-client';
import { BoundedLabel } from './bounded';

// nginx's code for "client closed the connection before the response was complete".
const CLIENT_CLOSED = '499';

/**
 * Observes every request's duration once its response is done (or aborted). Mount it first, so the time covers
 * everything after it.
 */
export function httpDurationMiddleware(histogram: Histogram<string>, routes: BoundedLabel): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      histogram.observe(
        {
          method: req.method,
          route: routes.value(routeOf(req, res)),
          status_code: res.writableFinished ? String(res.statusCode) : CLIENT_CLOSED,
        },
        seconds,
      );
    });
    next();
  };
}

/**
 * The route template, never the raw URL (ids in URLs would make one series per object): the matched express route
 * (`/users/:id`), else the mount path of the middleware that answered (`app.use('/graphql', apollo)`), else
 * 'unmatched' (404s, scanners). A handler may name its route itself in `res.locals.metricsRoute`.
 */
function routeOf(req: Request, res: Response): string {
  const named: unknown = res.locals.metricsRoute;
  if (typeof named === 'string') return named;
  // Express 5 leaves baseUrl undefined once a request fell through every router, despite its type.
  const baseUrl = (req.baseUrl as string | undefined) ?? '';
  const routePath: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (routePath !== undefined) return `${baseUrl}${String(routePath)}`;
  return baseUrl !== '' ? baseUrl : 'unmatched';
}

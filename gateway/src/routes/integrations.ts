import express, { Router, type RequestHandler, type Response } from 'express';
import { traceHeaders, type Logger } from '@atrium/platform/logging';
import { INTERNAL_ASSERTION_HEADER } from '@atrium/platform/auth';
import { errorBody } from '@atrium/platform/server';

export interface IntegrationsRouterOptions {
  /** The integrations subgraph's GraphQL URL (INTEGRATIONS_URL); its origin serves both routes. */
  integrationsUrl: string;
  log: Logger;
  /** Runs before each route (the gateway's per-IP rate limit). Default: none. */
  guard?: RequestHandler;
  /** Largest webhook body passed on, in bytes. Default 1 MiB; larger deliveries get 413 here. */
  webhookBodyLimitBytes?: number;
  /** Longest the subgraph may take to answer, in ms. Default 15 000; then 504. */
  timeoutMs?: number;
}

const PROVIDER = /^[a-z0-9-]{1,64}$/;
const PASSED_BACK = ['content-type', 'location', 'cache-control', 'referrer-policy'];

/**
 * The two integrations routes that browsers and providers reach through the public gateway:
 * - GET /oauth/callback — the redirect URI registered with every provider; the subgraph completes the flow and
 *   answers with a redirect to the frontend, passed back as is.
 * - POST /webhooks/:providerId — the raw body, size-limited, with the provider's signature headers; the
 *   subgraph verifies it. No assertion is added: the state, or the signature, is the authorization.
 * Failures never reveal the subgraph's address.
 */
export function integrationsRouter(options: IntegrationsRouterOptions): Router {
  const origin = new URL(options.integrationsUrl).origin;
  const router = Router();
  const guard: RequestHandler = options.guard ?? ((_req, _res, next) => next());
  const forward = async (res: Response, path: string, init: RequestInit) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 15_000);
    try {
      const upstream = await fetch(`${origin}${path}`, {
        ...init,
        // The request's correlation id and trace travel on, so the subgraph's lines carry the gateway's id.
        headers: {
          ...(init.headers as Record<string, string> | undefined),
          ...traceHeaders({
            requestId: res.locals.requestId as string,
            traceId: res.locals.traceId as string | undefined,
          }),
        },
        redirect: 'manual',
        signal: controller.signal,
      });
      res.status(upstream.status);
      for (const name of PASSED_BACK) {
        const value = upstream.headers.get(name);
        if (value !== null) res.set(name, value);
      }
      res.send(Buffer.from(await upstream.arrayBuffer()));
    } catch (error) {
      options.log.warn({ err: error, path: path.split('?')[0] }, 'integrations proxy failed');
      const timedOut = controller.signal.aborted;
      res
        .status(timedOut ? 504 : 502)
        .type('application/json')
        .send(
          timedOut
            ? errorBody('The integrations service did not answer in time', 'GATEWAY_TIMEOUT')
            : errorBody('The integrations service is unavailable', 'SUBGRAPH_UNAVAILABLE'),
        );
    } finally {
      clearTimeout(timer);
    }
  };

  router.get('/oauth/callback', guard, (req, res) => {
    const query = new URLSearchParams();
    for (const name of ['code', 'state', 'error', 'error_description', 'iss']) {
      const value = req.query[name];
      if (typeof value === 'string') query.set(name, value);
    }
    return forward(res, `/oauth/callback?${query}`, { method: 'GET' });
  });

  router.post(
    '/webhooks/:providerId',
    guard,
    express.raw({ type: () => true, limit: options.webhookBodyLimitBytes ?? 1_048_576 }),
    (req, res) => {
      const providerId = String(req.params.providerId);
      if (!PROVIDER.test(providerId))
        return void res.status(404).type('application/json').send(errorBody('Not found', 'NOT_FOUND'));
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        // Providers sign with their own x-… headers; the internal assertion and proxy headers never pass.
        const passes =
          name === 'content-type' ||
          name === 'user-agent' ||
          (name.startsWith('x-') && name !== INTERNAL_ASSERTION_HEADER && !name.startsWith('x-forwarded-'));
        if (passes && typeof value === 'string') headers[name] = value;
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      return forward(res, `/webhooks/${providerId}`, { method: 'POST', headers, body });
    },
  );
  return router;
}

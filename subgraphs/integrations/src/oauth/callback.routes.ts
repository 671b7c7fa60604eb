import { Router } from 'express';
import type { Logger } from '@atrium/platform/logging';
import type { OAuthFlow } from './oauth-flow';

/**
 * GET /oauth/callback — where the provider sends the browser (through the gateway). Completes the flow and
 * redirects to the frontend: `?status=connected&connection=<id>&provider=<id>` or `?status=error&error=<CODE>`.
 * Nothing else of the request (the code, the provider's text) is reflected into the redirect.
 */
export function callbackRoutes(deps: { flow: () => OAuthFlow; frontendUrl: string; log: Logger }): Router {
  const router = Router();
  router.get('/oauth/callback', async (req, res) => {
    const param = (name: string) =>
      typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined;
    const target = new URL(deps.frontendUrl);
    try {
      const connection = await deps.flow().complete({
        principal: null,
        state: param('state'),
        code: param('code'),
        providerError: param('error'),
      });
      target.searchParams.set('status', 'connected');
      target.searchParams.set('connection', connection.id);
      target.searchParams.set('provider', connection.providerId);
    } catch (error) {
      const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
      if (typeof code !== 'string')
        deps.log.error({ err: error, requestId: res.locals.requestId }, 'OAuth callback failed');
      target.searchParams.set('status', 'error');
      target.searchParams.set('error', typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
    }
    res
      .set('cache-control', 'no-store')
      .set('referrer-policy', 'no-referrer')
      .redirect(303, target.toString());
  });
  return router;
}

import express, { Router } from 'express';
import { requireGatewayAssertion, type GatewayCaller } from '@atrium/platform/auth';
import { errorBody } from '@atrium/platform/server';
import type { AiCredentials } from './ai-credentials';

/**
 * The audience of assertions for the internal credentials route: distinct from the GraphQL audience, so no
 * assertion the gateway forwards with a GraphQL request can read keys. Only services holding
 * INTERNAL_TOKEN_SECRET (the generation worker) sign it, naming the user whose key they need.
 */
export const CREDENTIALS_AUDIENCE = 'integrations-credentials';

/**
 * GET /internal/ai-credentials?providers=openai,anthropic — the caller's (the assertion's user's) ACTIVE keys.
 * POST /internal/ai-credentials/rejected {connectionId, version} — the provider answered 401 to that key.
 * Never cached, never logged.
 */
export function internalRoutes(deps: { aiCredentials: () => AiCredentials; internalSecret: string }): Router {
  const router = Router();
  const guard = requireGatewayAssertion({ secret: deps.internalSecret, audience: CREDENTIALS_AUDIENCE });
  const userOf = (locals: Record<string, unknown>) => (locals.caller as GatewayCaller).principal.userId;
  router.get('/internal/ai-credentials', guard, async (req, res) => {
    const userId = userOf(res.locals);
    const providers = String(req.query.providers ?? '')
      .split(',')
      .filter((id) => /^[a-z0-9-]{1,64}$/.test(id))
      .slice(0, 10);
    if (!userId)
      return void res.status(400).type('application/json').send(errorBody('No user', 'BAD_REQUEST'));
    const credentials = await deps.aiCredentials().forUser(userId, providers);
    res.set('cache-control', 'no-store').json({ credentials });
  });
  router.post(
    '/internal/ai-credentials/rejected',
    guard,
    express.json({ limit: '4kb' }),
    async (req, res) => {
      const userId = userOf(res.locals);
      const { connectionId, version } = (req.body ?? {}) as { connectionId?: unknown; version?: unknown };
      if (!userId || typeof connectionId !== 'string' || typeof version !== 'number')
        return void res.status(400).type('application/json').send(errorBody('Invalid report', 'BAD_REQUEST'));
      res.json({ marked: await deps.aiCredentials().rejected(userId, connectionId, version) });
    },
  );
  return router;
}

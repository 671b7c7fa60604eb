import express, { type Express } from 'express';
import type { EntityManager } from '@mikro-orm/core';
import { requireGatewayAssertion } from '@atrium/platform/auth';
import type { Logger } from '@atrium/platform/logging';
import { errorBody } from '@atrium/platform/server';
import { verifyApiKey } from './api-key.service';

export const API_KEY_VERIFY_PATH = '/internal/api-keys/verify';

/**
 * `POST /internal/api-keys/verify` with `{ "key": "atr_…" }`: the gateway's way to turn an API key into a
 * principal. Only a caller holding a gateway assertion for this subgraph gets past the guard (401 otherwise),
 * so the route is no oracle for guessing keys. Answers 200 `{ principal, expiresAt }` or 401.
 */
export function mountApiKeyVerifyRoute(
  app: Express,
  options: { secret: string; audience: string; fork: () => EntityManager; now: () => number; log: Logger },
): void {
  app.post(
    API_KEY_VERIFY_PATH,
    requireGatewayAssertion({ secret: options.secret, audience: options.audience }),
    express.json({ limit: '4kb' }),
    (req, res) => {
      const key: unknown = (req.body as { key?: unknown } | undefined)?.key;
      const reject = () =>
        res.status(401).type('application/json').send(errorBody('Invalid API key', 'UNAUTHENTICATED'));
      if (typeof key !== 'string' || key.length > 200) return void reject();
      verifyApiKey(options.fork(), key, options.now()).then(
        (verified) => (verified ? void res.json(verified) : void reject()),
        (error: unknown) => {
          options.log.error({ err: error, requestId: res.locals.requestId }, 'API key verification failed');
          res
            .status(500)
            .type('application/json')
            .send(errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
        },
      );
    },
  );
}

import express, { Router } from 'express';
import { errorBody } from '@atrium/platform/server';
import type { Logger } from '@atrium/platform/logging';
import type { WebhookService } from './webhook.service';

const STATUS: Record<string, number> = {
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  WEBHOOK_SIGNATURE_INVALID: 401,
  WEBHOOK_TIMESTAMP_STALE: 401,
};

/**
 * POST /webhooks/:providerId — the raw body (size-limited) goes to verification untouched. 200 with the stored
 * (or earlier) event id; refusals are coded JSON errors and store nothing.
 */
export function webhookRoutes(deps: {
  webhooks: () => WebhookService;
  limitBytes: number;
  log: Logger;
}): Router {
  const router = Router();
  router.post(
    '/webhooks/:providerId',
    express.raw({ type: () => true, limit: deps.limitBytes }),
    async (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      try {
        const result = await deps
          .webhooks()
          .receive(String(req.params.providerId), body, req.headers, res.locals.requestId as string);
        if (result.kind === 'challenge') return void res.json({ challenge: result.challenge });
        res.json({ received: true, eventId: result.eventId, duplicate: result.kind === 'duplicate' });
      } catch (error) {
        const { message, extensions } = error as { message: string; extensions?: { code?: unknown } };
        const code = typeof extensions?.code === 'string' ? extensions.code : undefined;
        const status = code ? STATUS[code] : undefined;
        if (!code || !status) {
          deps.log.error(
            {
              err: error,
              requestId: res.locals.requestId,
              providerId: req.params.providerId,
              deliveryId: deliveryHeader(req.headers),
            },
            'webhook delivery failed',
          );
          return void res
            .status(500)
            .type('application/json')
            .send(errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
        }
        res.status(status).type('application/json').send(errorBody(message, code));
      }
    },
  );
  return router;
}

// The delivery id a provider sends in a header (GitHub's, the generic scheme's), for the failure line; bounded, as
// it is the sender's text.
function deliveryHeader(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers['x-github-delivery'] ?? headers['x-atrium-delivery'];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.slice(0, 128);
}

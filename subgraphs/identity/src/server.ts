import type { Express } from 'express';
import type { Logger } from '@atrium/platform/logging';
import {
  buildOn,
  createSubgraphServer,
  openSubgraphResources,
  packageVersion,
  type SubgraphServer,
} from '@atrium/platform/server';
import { mountApiKeyVerifyRoute } from './api-key/verify-route';
import { createIdentityApp, type Clock, type IdentityApp } from './app';
import type { IdentityConfig } from './config';
import { buildContext } from './context';
import type { KeyRing } from './crypto/signing-keys';
import { entities, migrations } from './database';
import { permissions } from './permissions';
import { buildIdentitySchema } from './schema';

export const SUBGRAPH_NAME = 'identity';
export const JWKS_PATH = '/.well-known/jwks.json';

export type IdentityServer = SubgraphServer<IdentityApp>;

/** The identity app served as a subgraph on the platform shell, with its JWKS and API-key routes. */
export async function serveIdentity(app: IdentityApp, log: Logger): Promise<IdentityServer> {
  const { config } = app;
  const server = await createSubgraphServer({
    name: SUBGRAPH_NAME,
    version: packageVersion(__dirname),
    schema: buildIdentitySchema(),
    permissions,
    internalSecret: config.internalSecret,
    log,
    timeouts: config.timeouts,
    maxRepresentations: config.maxRepresentations,
    resources: app.resources,
    app,
    context: (base) => buildContext(base, app),
    routes: (express) => {
      mountJwks(express, app.keys);
      mountApiKeyVerifyRoute(express, {
        secret: config.internalSecret,
        audience: SUBGRAPH_NAME,
        fork: () => app.fork(),
        now: () => app.clock.now(),
        log,
      });
    },
  });
  exportAuditCounts(app, server);
  return server;
}

/** The audit events monitoring alerts on, in `/status`; every type as `atrium_identity_audit_events_total`. */
function exportAuditCounts(app: IdentityApp, server: IdentityServer): void {
  for (const type of ['signin.failed', 'refresh_token.reused'] as const)
    server.health.registerCounter(`audit.${type}`, () => app.audits.count(type));
  const events = server.metrics.counter('identity_audit_events_total', 'Audit events recorded, by type', [
    'type',
  ]);
  app.audits.onRecord((type) => events.inc({ type }));
}

/** Opens the resources, builds the app and serves it: what main.ts and the tests run. */
export async function createIdentityServer(options: {
  config: IdentityConfig;
  log: Logger;
  /** Clock override for tests; default `Date.now`. */
  clock?: Clock;
}): Promise<IdentityServer> {
  const { config, log } = options;
  const resources = await openSubgraphResources(SUBGRAPH_NAME, config, log, { entities, migrations });
  return buildOn(resources, async () =>
    serveIdentity(await createIdentityApp(resources, config, { clock: options.clock }), log),
  );
}

/** The public keys that verify access tokens, signing key first. Open: anyone may verify a token. */
function mountJwks(express: Express, keys: KeyRing): void {
  const body = JSON.stringify(keys.jwks);
  express.get(JWKS_PATH, (_req, res) => {
    res.set('cache-control', 'public, max-age=300').type('application/json').send(body);
  });
}

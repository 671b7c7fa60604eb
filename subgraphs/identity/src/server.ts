import type { Express } from 'express';
import type { Logger } from '@atrium/platform/logging';
import {
  packageVersion,
  startSubgraph,
  type SubgraphDefinition,
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

/** Start options of its own: a test may set the clock (default `Date.now`). */
export interface IdentityOptions {
  clock?: Clock;
}

/** The identity subgraph: its app with the JWKS and API-key verification routes and its audit counters. */
export const identitySubgraph: SubgraphDefinition<IdentityConfig, IdentityApp, IdentityOptions> = {
  name: SUBGRAPH_NAME,
  version: packageVersion(__dirname),
  database: { entities, migrations },
  app: (resources, { config, clock }) => createIdentityApp(resources, config, { clock }),
  graphql: {
    schema: buildIdentitySchema,
    permissions,
    context: buildContext,
    routes: (express, app, log) => {
      mountJwks(express, app.keys);
      mountApiKeyVerifyRoute(express, {
        secret: app.config.internalSecret,
        audience: SUBGRAPH_NAME,
        fork: () => app.fork(),
        now: () => app.clock.now(),
        log,
      });
    },
  },
  started: (server) => exportAuditCounts(server.app, server),
};

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
export function createIdentityServer(
  deps: { config: IdentityConfig; log: Logger } & IdentityOptions,
): Promise<IdentityServer> {
  return startSubgraph(identitySubgraph, deps);
}

/** The public keys that verify access tokens, signing key first. Open: anyone may verify a token. */
function mountJwks(express: Express, keys: KeyRing): void {
  const body = JSON.stringify(keys.jwks);
  express.get(JWKS_PATH, (_req, res) => {
    res.set('cache-control', 'public, max-age=300').type('application/json').send(body);
  });
}

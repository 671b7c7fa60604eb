import type { Express } from 'express';
import type { Logger } from '@atrium/platform/logging';
import { createSubgraphRuntime, packageVersion, type SubgraphRuntime } from '@atrium/platform/server';
import { mountApiKeyVerifyRoute } from './api-key/verify-route';
import type { IdentityConfig } from './config';
import { buildContext } from './context';
import { SecretBox } from './crypto/encryption';
import { PasswordHasher } from './crypto/password';
import { embeddedKeyRing, keyRingFromConfig, type KeyRing } from './crypto/signing-keys';
import { entities, migrations } from './database';
import type { IdentityDeps } from './deps';
import { permissions } from './permissions';
import { buildIdentitySchema } from './schema';

export const SUBGRAPH_NAME = 'identity';
export const JWKS_PATH = '/.well-known/jwks.json';

export interface IdentityServer extends SubgraphRuntime {
  /** Keys, hasher and clock the server runs with (tests read the key ring and move the clock). */
  readonly deps: IdentityDeps;
}

/**
 * The identity subgraph, ready to listen. No env, no listen of its own: main.ts and tests do that. Loads the
 * signing keys (configured, or the embedded key file) before anything listens, so a bad key fails the start.
 */
export async function createIdentityServer(options: {
  config: IdentityConfig;
  log: Logger;
  /** Clock override for tests; default `Date.now`. */
  now?: () => number;
}): Promise<IdentityServer> {
  const { config, log } = options;
  const keys = config.signingKeys
    ? await keyRingFromConfig(config.signingKeys)
    : await embeddedKeyRing(config.dataDir);
  const passwords = new PasswordHasher(config.argon2);
  await passwords.prepare();
  const deps: IdentityDeps = {
    config,
    keys,
    passwords,
    box: new SecretBox(config.encryptionKey),
    now: options.now ?? Date.now,
  };
  // Routes are mounted while the runtime is built, before its database handle exists; they run only once the
  // server listens, by which time `runtime` is set.
  const runtime: SubgraphRuntime = await createSubgraphRuntime({
    name: SUBGRAPH_NAME,
    version: packageVersion(__dirname),
    config,
    log,
    schema: buildIdentitySchema(),
    permissions,
    entities,
    migrations,
    context: (input) => buildContext(input, deps),
    routes: (app) => {
      mountJwks(app, keys);
      mountApiKeyVerifyRoute(app, {
        secret: config.internalSecret,
        audience: SUBGRAPH_NAME,
        fork: () => runtime.db.fork(),
        now: () => deps.now(),
        log,
      });
    },
  });
  return Object.assign(runtime, { deps });
}

/** The public keys that verify access tokens, signing key first. Open: anyone may verify a token. */
function mountJwks(app: Express, keys: KeyRing): void {
  const body = JSON.stringify(keys.jwks);
  app.get(JWKS_PATH, (_req, res) => {
    res.set('cache-control', 'public, max-age=300').type('application/json').send(body);
  });
}

// The four real subgraphs in one process (embedded mode, a fresh data directory), for the gateway benchmark:
// prints `SUBGRAPHS {json of urls}` once they listen, stops on SIGTERM.
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDevelopmentSecret } from '@atrium/platform/config';
import { createLogger } from '@atrium/platform/logging';
import type { SubgraphServer } from '@atrium/platform/server';
import { createGenerationServer, loadGenerationConfig } from '@atrium/subgraph-generation';
import { createIdentityServer, loadIdentityConfig } from '@atrium/subgraph-identity';
import { IDENTITY_ENCRYPTION_DEVELOPMENT_KEY } from '@atrium/subgraph-identity/config';
import { createIntegrationsServer, loadIntegrationsConfig } from '@atrium/subgraph-integrations';
import { INTEGRATIONS_ENCRYPTION_DEVELOPMENT_KEYS } from '@atrium/subgraph-integrations/config';
import { createMonitoringServer, loadMonitoringConfig } from '@atrium/subgraph-monitoring';

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'atrium-bench-'));
  const log = createLogger({ service: 'bench-subgraphs', level: 'warn', pretty: false });
  // Keys not given are generated in the fresh data directory, as main.ts does.
  const env = withDevelopmentSecret(
    { ...process.env, ATRIUM_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    IDENTITY_ENCRYPTION_DEVELOPMENT_KEY,
    INTEGRATIONS_ENCRYPTION_DEVELOPMENT_KEYS,
  );
  const started: SubgraphServer[] = [];
  const listen = async (server: SubgraphServer) => {
    started.push(server);
    return (await server.listen(0, '127.0.0.1')).url;
  };
  const identity = await listen(await createIdentityServer({ config: loadIdentityConfig(env), log }));
  const integrations = await listen(
    await createIntegrationsServer({ config: loadIntegrationsConfig(env), log }),
  );
  const generation = await listen(await createGenerationServer({ config: loadGenerationConfig(env), log }));
  const targets = { identity, integrations, generation };
  const monitoring = await listen(
    await createMonitoringServer({
      config: loadMonitoringConfig({
        ...env,
        MONITORING_TARGETS: Object.entries(targets)
          .map(([name, url]) => `${name}=${new URL(url).origin}`)
          .join(','),
      }),
      log,
    }),
  );
  process.stdout.write(`SUBGRAPHS ${JSON.stringify({ identity, integrations, generation, monitoring })}\n`);
  process.once('SIGTERM', () => {
    void Promise.allSettled(started.map((server) => server.stop()))
      .then(() => rm(dataDir, { recursive: true, force: true }))
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

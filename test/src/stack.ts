import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatewayServer, type GatewayServer } from '@atrium/gateway/server';
import { loadGatewayConfig } from '@atrium/gateway/config';
import { readSupergraph } from '@atrium/gateway/supergraph';
import { type Logger } from '@atrium/platform/logging';
import type { SubgraphServer } from '@atrium/platform/server';
import { createGenerationServer, loadGenerationConfig } from '@atrium/subgraph-generation';
import { createIdentityServer, loadIdentityConfig } from '@atrium/subgraph-identity';
import { createIntegrationsServer, loadIntegrationsConfig } from '@atrium/subgraph-integrations';
import { createMonitoringServer, loadMonitoringConfig } from '@atrium/subgraph-monitoring';
import { silentLogger, TEST_INTERNAL_SECRET } from '@atrium/platform/testing';

export { TEST_INTERNAL_SECRET };
/** The encryption keys of identity (TOTP seeds) and integrations (credentials) in tests. */
export const TEST_ENCRYPTION_KEYS = {
  IDENTITY_ENCRYPTION_KEY: 'e2e-identity-encryption-key-0123456789abcdef',
  INTEGRATIONS_ENCRYPTION_KEYS: `e2e:${Buffer.alloc(32, 'e2e-integrations-key').toString('base64')}`,
};

export interface StackOptions {
  /** Extra variables for every service, e.g. REDIS_URL or DATABASE_URL for the production mode. */
  env?: Record<string, string | undefined>;
  log?: Logger;
  /** A logger per service (gateway, identity, integrations, generation, monitoring); wins over `log`. */
  logFor?: (service: string) => Logger;
}

export interface Stack {
  gatewayUrl: string;
  gateway: GatewayServer;
  subgraphs: Record<
    'identity' | 'integrations' | 'generation' | 'monitoring',
    { server: SubgraphServer; url: string }
  >;
  stop(): Promise<void>;
}

/**
 * Starts the four subgraphs and the gateway in this process, each on port 0, with the committed supergraph and
 * a fresh embedded data directory: the same code `pnpm start` runs, wired the way main.ts wires it.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'atrium-stack-'));
  const shared = options.log ?? silentLogger('e2e');
  const logOf = (service: string) => options.logFor?.(service) ?? shared;
  const env = {
    INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
    ...TEST_ENCRYPTION_KEYS,
    ATRIUM_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    // A fixed admission limit: the suites run in parallel on a machine kept busier than capacity, where every
    // request's run time exceeds the adaptive limit's latency target, so a test's burst of 8 requests would be
    // shed (OVERLOADED) whatever it is testing. Shedding is tested with its own settings (gateway-admission).
    ADMISSION_LATENCY_TARGET_MS: '0',
    ...options.env,
  };
  const started: SubgraphServer[] = [];
  const listen = async (server: SubgraphServer) => {
    started.push(server);
    return { server, url: (await server.listen(0, '127.0.0.1')).url };
  };
  try {
    const identity = await listen(
      await createIdentityServer({ config: loadIdentityConfig(env), log: logOf('identity') }),
    );
    const integrations = await listen(
      await createIntegrationsServer({ config: loadIntegrationsConfig(env), log: logOf('integrations') }),
    );
    // Generation asks integrations for users' own AI keys.
    const generation = await listen(
      await createGenerationServer({
        config: loadGenerationConfig({ ...env, INTEGRATIONS_URL: integrations.url }),
        log: logOf('generation'),
      }),
    );
    const targets = [identity, integrations, generation].map(
      ({ url }, index) => `${['identity', 'integrations', 'generation'][index]}=${new URL(url).origin}`,
    );
    const monitoring = await listen(
      await createMonitoringServer({
        config: loadMonitoringConfig({ ...env, MONITORING_TARGETS: targets.join(',') }),
        log: logOf('monitoring'),
      }),
    );
    const gatewayConfig = loadGatewayConfig({
      ...env,
      IDENTITY_URL: identity.url,
      INTEGRATIONS_URL: integrations.url,
      GENERATION_URL: generation.url,
      MONITORING_URL: monitoring.url,
    });
    const gateway = await createGatewayServer({
      config: gatewayConfig,
      supergraphSdl: readSupergraph(),
      log: logOf('gateway'),
    });
    const { url: gatewayUrl } = await gateway.listen(0, '127.0.0.1');
    return {
      gatewayUrl,
      gateway,
      subgraphs: { identity, integrations, generation, monitoring },
      stop: async () => {
        await gateway.stop();
        await Promise.all(started.map((server) => server.stop()));
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((server) => server.stop()));
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

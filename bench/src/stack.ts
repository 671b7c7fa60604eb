import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgresDatabase, type TestDatabase } from '@atrium/platform/testing/database';
import { startService, type Service } from './gateway/processes';

const READY = /"url":"([^"]+)"[^\n]*"msg":"ready"/;
/** A per-minute limit no bench reaches. */
export const HIGH = '60000000';

export interface BenchStackOptions {
  /** Names this run's databases (`<label>_<service>`), Redis key prefix and data directory. */
  label: string;
  redisUrl: string;
  workers: number;
  /** Added to the identity, generation (API and workers) and gateway environments. */
  identityEnv?: Record<string, string>;
  generationEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  /** Another checkout to run the generation API and workers from (an A/B baseline); default this tree. */
  generationRoot?: string;
  /** Where the generation services reach their database, given its URL (e.g. through a counting proxy). */
  generationDatabase?: (databaseUrl: string) => Promise<string>;
  /** Extra node arguments of a process by name (e.g. --cpu-prof). */
  nodeArgs?: (name: string) => string[];
}

export interface BenchStack {
  gatewayUrl: string;
  /** Every process of the stack by name (gateway, identity, generation, worker-1…), for CPU accounting. */
  processes: Record<string, Service>;
  prefix: string;
  /** The generation database's own URL (not the one handed to the services). */
  generationDatabaseUrl: string;
  stop(): Promise<void>;
}

/**
 * The production shape on this machine: every service in its own process from source, PostgreSQL (a fresh
 * database per subgraph), Redis (a fresh key prefix), `workers` separate generation worker processes and the
 * gateway in front. Limits that would refuse a bench from one address are raised; nothing else is changed.
 */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const prefix = `atrium-${options.label}:${randomBytes(4).toString('hex')}:`;
  const dataDir = await mkdtemp(join(tmpdir(), `atrium-${options.label}-`));
  const databases: TestDatabase[] = [];
  const processes: Record<string, Service> = {};
  const db = async (service: string) => {
    const created = await freshPostgresDatabase(`${options.label}_${service}`);
    databases.push(created);
    return created.databaseUrl!;
  };
  const common = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    INTERNAL_TOKEN_SECRET: randomBytes(32).toString('hex'),
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: prefix,
    ATRIUM_DATA_DIR: dataDir,
  };
  const start = async (name: string, entry: string, env: Record<string, string>, root?: string) => {
    processes[name] = await startService(
      entry,
      { ...common, ...env },
      READY,
      options.nodeArgs?.(name) ?? [],
      {
        root,
      },
    );
    return processes[name]!.ready[1]!;
  };
  const stop = async () => {
    await Promise.allSettled(Object.values(processes).map((p) => p.stop()));
    await Promise.allSettled(databases.map((d) => d.drop()));
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const generationDatabaseUrl = await db('generation');
    const identity = await start('identity', 'subgraphs/identity/src/main.ts', {
      IDENTITY_PORT: '0',
      IDENTITY_DATABASE_URL: await db('identity'),
      IDENTITY_IP_ATTEMPTS_PER_MINUTE: '10000',
      ...options.identityEnv,
    });
    const integrations = await start('integrations', 'subgraphs/integrations/src/main.ts', {
      INTEGRATIONS_PORT: '0',
      INTEGRATIONS_DATABASE_URL: await db('integrations'),
    });
    const generationEnv = {
      GENERATION_DATABASE_URL:
        (await options.generationDatabase?.(generationDatabaseUrl)) ?? generationDatabaseUrl,
      GENERATION_INLINE_WORKER: 'false',
      GENERATION_JOBS_PER_MINUTE: HIGH,
      GENERATION_CACHE_TTL_SECONDS: '0',
      ...options.generationEnv,
    };
    const root = options.generationRoot;
    const generation = await start(
      'generation',
      'subgraphs/generation/src/main.ts',
      { ...generationEnv, GENERATION_PORT: '0' },
      root,
    );
    await Promise.all(
      Array.from({ length: options.workers }, (_, i) =>
        start(
          `worker-${i + 1}`,
          'subgraphs/generation/src/worker/main.ts',
          { ...generationEnv, GENERATION_WORKER_PORT: '0' },
          root,
        ),
      ),
    );
    const targets = { identity, integrations, generation };
    const monitoring = await start('monitoring', 'subgraphs/monitoring/src/main.ts', {
      MONITORING_PORT: '0',
      MONITORING_DATABASE_URL: await db('monitoring'),
      MONITORING_TARGETS: Object.entries(targets)
        .map(([name, url]) => `${name}=${new URL(url).origin}`)
        .join(','),
    });
    const gatewayUrl = await start('gateway', 'gateway/src/main.ts', {
      GATEWAY_PORT: '0',
      GATEWAY_HOST: '127.0.0.1',
      IDENTITY_URL: identity,
      INTEGRATIONS_URL: integrations,
      GENERATION_URL: generation,
      MONITORING_URL: monitoring,
      RATE_LIMIT_IP_PER_MINUTE: HIGH,
      RATE_LIMIT_USER_PER_MINUTE: HIGH,
      ...options.gatewayEnv,
    });
    return { gatewayUrl, processes, prefix, generationDatabaseUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgresDatabase, testServices, type TestDatabase } from '@atrium/platform/testing';
import { ROOT, startService, type Service } from '../gateway/processes';

const READY = /"url":"([^"]+)"[^\n]*"msg":"ready"/;
const HIGH = '60000000';

export interface Stack {
  gatewayUrl: string;
  /** Every process of the stack by name, for CPU accounting. */
  processes: Record<string, Service>;
  stop(): Promise<void>;
}

/**
 * The production shape on this machine: every service in its own process from source, PostgreSQL (a fresh
 * database per subgraph) and Redis (a fresh key prefix), `workers` separate generation worker processes, and the
 * gateway in front. Limits that would refuse a load test from one address are raised; nothing else is changed.
 */
export async function startStack(options: {
  workers: number;
  accessTokenTtlSeconds: number;
  /** Processes to run with --cpu-prof (profiles written to bench/results/profiles/load on exit). */
  profiled?: string[];
}): Promise<Stack> {
  // The same services as the test suites (docker-compose and .ci/run start them on these addresses).
  process.env.ATRIUM_TEST_POSTGRES_URL ||=
    process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  process.env.ATRIUM_TEST_REDIS_URL ||= process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisUrl = testServices.redisUrl;
  if (!redisUrl || !testServices.postgresUrl) throw new Error('the load test needs PostgreSQL and Redis');
  const secret = randomBytes(32).toString('hex');
  const dataDir = await mkdtemp(join(tmpdir(), 'atrium-load-'));
  const databases: TestDatabase[] = [];
  const processes: Record<string, Service> = {};
  const db = async (label: string) => {
    const created = await freshPostgresDatabase(`load_${label}`);
    databases.push(created);
    return created.databaseUrl!;
  };
  const common = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    INTERNAL_TOKEN_SECRET: secret,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `atrium-load:${randomBytes(4).toString('hex')}:`,
    ATRIUM_DATA_DIR: dataDir,
  };
  const start = async (name: string, entry: string, env: Record<string, string>) => {
    const profile = options.profiled?.includes(name)
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${join(ROOT, 'bench/results/profiles/load')}`,
          `--cpu-prof-name=${name}.cpuprofile`,
        ]
      : [];
    processes[name] = await startService(entry, { ...common, ...env }, READY, profile);
    return processes[name]!.ready[1]!;
  };
  const stop = async () => {
    await Promise.allSettled(Object.values(processes).map((p) => p.stop()));
    await Promise.allSettled(databases.map((d) => d.drop()));
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const identity = await start('identity', 'subgraphs/identity/src/main.ts', {
      IDENTITY_PORT: '0',
      IDENTITY_DATABASE_URL: await db('identity'),
      IDENTITY_IP_ATTEMPTS_PER_MINUTE: '10000',
      IDENTITY_ACCESS_TOKEN_TTL_SECONDS: String(options.accessTokenTtlSeconds),
    });
    const integrations = await start('integrations', 'subgraphs/integrations/src/main.ts', {
      INTEGRATIONS_PORT: '0',
      INTEGRATIONS_DATABASE_URL: await db('integrations'),
    });
    const generationEnv = {
      GENERATION_DATABASE_URL: await db('generation'),
      GENERATION_INLINE_WORKER: 'false',
      GENERATION_JOBS_PER_MINUTE: HIGH,
      GENERATION_CACHE_TTL_SECONDS: '0',
      GENERATION_WORKER_CONCURRENCY: '8',
    };
    const generation = await start('generation', 'subgraphs/generation/src/main.ts', {
      ...generationEnv,
      GENERATION_PORT: '0',
    });
    for (let i = 1; i <= options.workers; i++)
      await start(`worker-${i}`, 'subgraphs/generation/src/worker/main.ts', {
        ...generationEnv,
        GENERATION_WORKER_PORT: '0',
      });
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
      // ADMISSION_* of the bench's own environment reach the gateway, so admission settings can be compared.
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          (entry): entry is [string, string] => entry[0].startsWith('ADMISSION_') && entry[1] !== undefined,
        ),
      ),
    });
    return { gatewayUrl, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

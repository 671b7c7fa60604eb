import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freshPostgresDatabase, type TestDatabase } from '@atrium/platform/testing/database';
import { ROOT, startService, type Service } from '../gateway/processes';
import { PostgresStatementCounter } from './counters';

// pg is the platform's dependency, not the bench's.
interface PgClient {
  connect(): Promise<void>;
  query<R>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
}
const { Client } = createRequire(join(ROOT, 'platform/package.json'))('pg') as {
  Client: new (options: { connectionString: string }) => PgClient;
};
const READY = /"url":"([^"]+)"[^\n]*"msg":"ready"/;
const HIGH = '60000000';

export interface GenerationStackOptions {
  redisUrl: string;
  workers: number;
  workerConcurrency?: number;
  /** Route the generation database through a statement-counting proxy (for the round-trip run). */
  countSql?: boolean;
  /** Another checkout to run the generation API and workers from (an A/B baseline); default this tree. */
  generationRoot?: string;
}

export interface GenerationStack {
  gatewayUrl: string;
  /** Every Node process of the stack by name (gateway, identity, generation, worker-1…), for CPU accounting. */
  processes: Record<string, Service>;
  prefix: string;
  sql?: PostgresStatementCounter;
  /** CPU seconds used so far by each PostgreSQL backend (by pid) connected to the generation database. */
  postgresCpu(): Promise<Map<number, number>>;
  stop(): Promise<void>;
}

/**
 * The production shape for `generate` end to end: gateway, identity, integrations, monitoring, the generation API
 * and `workers` separate generation worker processes, each its own process from source, PostgreSQL (a fresh
 * database per subgraph), Redis (a fresh key prefix). The local provider runs unpaced and the limits that would
 * refuse one bench client are raised; nothing else differs from production.
 */
export async function startGenerationStack(options: GenerationStackOptions): Promise<GenerationStack> {
  const secret = randomBytes(32).toString('hex');
  const prefix = `atrium-bench:${randomBytes(4).toString('hex')}:`;
  const dataDir = await mkdtemp(join(tmpdir(), 'atrium-bench-generation-'));
  const databases: TestDatabase[] = [];
  const processes: Record<string, Service> = {};
  let sql: PostgresStatementCounter | undefined;
  const db = async (label: string) => {
    const created = await freshPostgresDatabase(`bench_gen_${label}`);
    databases.push(created);
    return created.databaseUrl!;
  };
  const common = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    INTERNAL_TOKEN_SECRET: secret,
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: prefix,
    ATRIUM_DATA_DIR: dataDir,
  };
  const start = async (name: string, entry: string, env: Record<string, string>, root?: string) => {
    const profile = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${name}.cpuprofile`]
      : [];
    processes[name] = await startService(entry, { ...common, ...env }, READY, profile, { root });
    return processes[name]!.ready[1]!;
  };
  const generationDatabaseUrl = await db('generation');
  const stop = async () => {
    await Promise.allSettled(Object.values(processes).map((p) => p.stop()));
    await sql?.stop();
    await Promise.allSettled(databases.map((d) => d.drop()));
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    let generationUrl = generationDatabaseUrl;
    if (options.countSql) {
      const url = new URL(generationUrl);
      sql = await PostgresStatementCounter.start({ host: url.hostname, port: Number(url.port || 5432) });
      url.host = `127.0.0.1:${sql.port}`;
      generationUrl = url.toString();
    }
    const identity = await start('identity', 'subgraphs/identity/src/main.ts', {
      IDENTITY_PORT: '0',
      IDENTITY_DATABASE_URL: await db('identity'),
      IDENTITY_IP_ATTEMPTS_PER_MINUTE: '10000',
    });
    const integrations = await start('integrations', 'subgraphs/integrations/src/main.ts', {
      INTEGRATIONS_PORT: '0',
      INTEGRATIONS_DATABASE_URL: await db('integrations'),
    });
    const generationEnv = {
      GENERATION_DATABASE_URL: generationUrl,
      GENERATION_INLINE_WORKER: 'false',
      GENERATION_LOCAL_CHUNK_DELAY_MS: '0',
      GENERATION_CACHE_TTL_SECONDS: '0',
      GENERATION_JOBS_PER_MINUTE: HIGH,
      GENERATION_MAX_ACTIVE_PER_USER: '10000',
      ...(options.workerConcurrency && { GENERATION_WORKER_CONCURRENCY: String(options.workerConcurrency) }),
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
    });
    const database = new URL(generationDatabaseUrl).pathname.slice(1);
    return {
      gatewayUrl,
      processes,
      prefix,
      sql,
      postgresCpu: () => postgresCpu(generationDatabaseUrl, database),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * CPU seconds of the PostgreSQL backends connected to `database` right now (the services' pools keep theirs for
 * the whole run), from /proc: the server work the generation pipeline causes, apart from other databases' load.
 * The API and workers are the only clients of that database.
 */
async function postgresCpu(databaseUrl: string, database: string): Promise<Map<number, number>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    const cpu = new Map<number, number>();
    for (const { pid } of rows) cpu.set(pid, procCpuSeconds(pid) ?? 0);
    return cpu;
  } finally {
    await client.end();
  }
}

/** utime + stime of a process (clock ticks of 1/100 s), or undefined when it is gone or not readable. */
export function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export { ROOT };

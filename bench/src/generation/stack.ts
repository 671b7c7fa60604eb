import { readFileSync } from 'node:fs';
import { ROOT, type Service } from '../gateway/processes';
import { PgClient } from '../pg';
import { startBenchStack } from '../stack';
import { PostgresStatementCounter } from './counters';

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
 * The production shape for `generate` end to end (bench/src/stack.ts) with the local provider unpaced and the
 * per-user limits raised; with `countSql`, the generation services reach their database through a proxy that
 * counts statements.
 */
export async function startGenerationStack(options: GenerationStackOptions): Promise<GenerationStack> {
  let sql: PostgresStatementCounter | undefined;
  const stack = await startBenchStack({
    label: 'bench_gen',
    redisUrl: options.redisUrl,
    workers: options.workers,
    generationRoot: options.generationRoot,
    generationEnv: {
      GENERATION_LOCAL_CHUNK_DELAY_MS: '0',
      GENERATION_MAX_ACTIVE_PER_USER: '10000',
      ...(options.workerConcurrency && { GENERATION_WORKER_CONCURRENCY: String(options.workerConcurrency) }),
    },
    generationDatabase: async (databaseUrl) => {
      if (!options.countSql) return databaseUrl;
      const url = new URL(databaseUrl);
      sql = await PostgresStatementCounter.start({ host: url.hostname, port: Number(url.port || 5432) });
      url.host = `127.0.0.1:${sql.port}`;
      return url.toString();
    },
    nodeArgs: (name) =>
      process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${name}.cpuprofile`]
        : [],
  }).catch(async (error: unknown) => {
    await sql?.stop();
    throw error;
  });
  const database = new URL(stack.generationDatabaseUrl).pathname.slice(1);
  return {
    gatewayUrl: stack.gatewayUrl,
    processes: stack.processes,
    prefix: stack.prefix,
    sql,
    postgresCpu: () => postgresCpu(stack.generationDatabaseUrl, database),
    stop: async () => {
      await stack.stop();
      await sql?.stop();
    },
  };
}

/**
 * CPU seconds of the PostgreSQL backends connected to `database` right now (the services' pools keep theirs for
 * the whole run), from /proc: the server work the generation pipeline causes, apart from other databases' load.
 * The API and workers are the only clients of that database.
 */
async function postgresCpu(databaseUrl: string, database: string): Promise<Map<number, number>> {
  const client = new PgClient({ connectionString: databaseUrl });
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

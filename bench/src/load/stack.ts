import { join } from 'node:path';
import { testServices } from '@atrium/platform/testing';
import { ROOT, type Service } from '../gateway/processes';
import { startBenchStack } from '../stack';

export interface Stack {
  gatewayUrl: string;
  /** Every process of the stack by name, for CPU accounting. */
  processes: Record<string, Service>;
  /** The PostgreSQL server the run's databases (`test_load_…`) live on, for counting their backends' CPU. */
  postgresUrl: string;
  stop(): Promise<void>;
}

/**
 * The production shape (bench/src/stack.ts) on the test suites' PostgreSQL and Redis, with access tokens of
 * `accessTokenTtlSeconds` and the bench's own ADMISSION_* settings handed to the gateway.
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
  const postgresUrl = testServices.postgresUrl;
  if (!redisUrl || !postgresUrl) throw new Error('the load test needs PostgreSQL and Redis');
  const stack = await startBenchStack({
    label: 'load',
    redisUrl,
    workers: options.workers,
    identityEnv: { IDENTITY_ACCESS_TOKEN_TTL_SECONDS: String(options.accessTokenTtlSeconds) },
    generationEnv: { GENERATION_WORKER_CONCURRENCY: '8' },
    // ADMISSION_* of the bench's own environment reach the gateway, so admission settings can be compared.
    gatewayEnv: Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] => entry[0].startsWith('ADMISSION_') && entry[1] !== undefined,
      ),
    ),
    nodeArgs: (name) =>
      options.profiled?.includes(name)
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${join(ROOT, 'bench/results/profiles/load')}`,
            `--cpu-prof-name=${name}.cpuprofile`,
          ]
        : [],
  });
  return { ...stack, postgresUrl };
}

import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { benchGeneration } from './bench';

const ROOT = resolve(__dirname, '../../..');
const RESULTS = join(ROOT, 'bench/results');

function markdown(
  result: Awaited<ReturnType<typeof benchGeneration>>,
  meta: Record<string, unknown>,
): string {
  const lines = [
    '# Generation benchmark',
    '',
    `Measured ${meta.date} on ${meta.cpus} × ${meta.cpu}, Node ${meta.node}. The API process and 1 or 2 worker`,
    'processes (compiled JS), BullMQ on Redis, PostgreSQL, all on this one machine; the `local` provider with no',
    'pacing, so the pipeline is measured (API → queue → worker → database → event bus), not the template engine.',
    `Load average (1/5/15 min) when it finished: ${(meta.loadAverage as number[]).join(' / ')}.`,
    `Jobs per run: ${meta.jobs}, ${meta.submitConcurrency} submitting at once, worker concurrency ${meta.workerConcurrency}.`,
    '',
    '## Throughput',
    '',
    '| workers | jobs/s | jobs | seconds | failed | generate p50 / p95 ms | completion p50 / p95 ms |',
    '|---|---|---|---|---|---|---|',
    ...result.throughput.map(
      (t) =>
        `| ${t.workers} | ${t.jobsPerSecond} | ${t.jobs} | ${t.seconds} | ${t.failed} | ${t.generateMs.p50} / ${t.generateMs.p95} | ${t.completionMs.p50} / ${t.completionMs.p95} |`,
    ),
    '',
    '## Round trips per job (generate → SUCCEEDED, API and workers together)',
    '',
    '| workers | jobs | SQL statements / job | Redis commands / job |',
    '|---|---|---|---|',
    ...result.roundTrips.map((r) => `| ${r.workers} | ${r.jobs} | ${r.sqlPerJob} | ${r.redisPerJob} |`),
    '',
    'Counted on the wire in a separate run: a TCP proxy in front of PostgreSQL counts Query and Sync messages;',
    "`redis-cli MONITOR` counts the commands naming the run's random key prefix (not those Lua scripts run inside",
    'Redis). Pub/sub deliveries to subscribers are not commands and are not counted.',
    '',
    '## Latency of one job at a time (from sending `generate`)',
    '',
    '| workers | first event p50 / p95 ms | RUNNING p50 / p95 ms | first delta p50 / p95 ms | done p50 / p95 ms |',
    '|---|---|---|---|---|',
    ...result.latency.map(
      (l) =>
        `| ${l.workers} | ${l.firstEventMs.p50} / ${l.firstEventMs.p95} | ${l.runningMs.p50} / ${l.runningMs.p95} | ${l.firstDeltaMs.p50} / ${l.firstDeltaMs.p95} | ${l.doneMs.p50} / ${l.doneMs.p95} |`,
    ),
    '',
    'The first event is the STATUS QUEUED event the API process publishes before `generate` returns; RUNNING is',
    'the first event from the worker (queue pick-up). Raw numbers: `generation.json`.',
    '',
  ];
  return lines.join('\n');
}

/** Runs the generation benchmark and writes bench/results/generation.{json,md}. */
export async function runGenerationBench(): Promise<void> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const postgresUrl = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  // freshPostgresDatabase reads the admin URL from here, as in tests.
  process.env.ATRIUM_TEST_POSTGRES_URL = postgresUrl;
  const options = {
    root: ROOT,
    redisUrl,
    postgresUrl,
    jobs: Number(process.env.BENCH_GENERATION_JOBS ?? 400),
    submitConcurrency: 16,
    workerConcurrency: 8,
    latencySamples: Number(process.env.BENCH_GENERATION_SAMPLES ?? 40),
    workerCounts: (process.env.BENCH_GENERATION_WORKERS ?? '1,2').split(',').map(Number),
  };
  const result = await benchGeneration(options);
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    jobs: options.jobs,
    submitConcurrency: options.submitConcurrency,
    workerConcurrency: options.workerConcurrency,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  };
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, 'generation.json'), `${JSON.stringify({ meta, ...result }, null, 2)}\n`);
  await writeFile(join(RESULTS, 'generation.md'), markdown(result, meta));
  console.log(markdown(result, meta));
}

if (require.main === module) {
  runGenerationBench().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

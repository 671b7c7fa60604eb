import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { benchGeneration } from './bench';

const ROOT = resolve(__dirname, '../../..');
const RESULTS = join(ROOT, 'bench/results');

const KNOBS = [
  '`pnpm bench:generation` runs it; knobs (environment): BENCH_GENERATION_WORKERS (worker processes, default',
  '`2`; `1,2` measures both), BENCH_GENERATION_JOBS (jobs per timed run, 1000), BENCH_GENERATION_ROUNDS (timed',
  'runs, 2), BENCH_GENERATION_SUBMIT (generate requests in flight, 32), BENCH_GENERATION_WORKER_CONCURRENCY',
  "(each worker's GENERATION_WORKER_CONCURRENCY; default the service's), BENCH_GENERATION_SAMPLES (one-at-a-time",
  'latency samples, 40), BENCH_GENERATION_ROUND_TRIP_JOBS (jobs of the counting run, 200; 0 skips it),',
  'BENCH_GENERATION_ROOT (another checkout to run the generation API and workers from, for an A/B),',
  'BENCH_CPU_PROF=<dir> (every process writes a V8 CPU profile there), BENCH_REDIS_URL / BENCH_POSTGRES_URL.',
];

function markdown(
  result: Awaited<ReturnType<typeof benchGeneration>>,
  meta: Record<string, unknown>,
): string {
  const names = [...new Set(result.throughput.flatMap((t) => Object.keys(t.cpuMsPerJob)))];
  const lines = [
    '# Generation benchmark',
    '',
    `Measured ${meta.date} on ${meta.cpus} × ${meta.cpu}, Node ${meta.node}. \`generate\` end to end THROUGH THE`,
    'GATEWAY: users sign in (identity), send `generate` to the gateway with their access token; the generation API',
    'stores and enqueues (BullMQ on Redis); separate worker processes run the job and publish its events; PostgreSQL',
    'holds every database. Every service is its own process from source. The `local` provider runs unpaced, so the',
    'pipeline is measured, not the template engine. Completion is observed on the event bus (the Redis pub/sub',
    "topics the subgraph's subscriptions read), which costs the services nothing.",
    `Load average (1/5/15 min) when it finished: ${(meta.loadAverage as number[]).join(' / ')}.`,
    `Jobs per timed run: ${meta.jobs}, ${meta.submitConcurrency} \`generate\` requests in flight, worker concurrency ${meta.workerConcurrency}.`,
    '',
    ...KNOBS,
    '',
    '## Throughput',
    '',
    '| workers | jobs/s | jobs | seconds | failed | shed | generate p50 / p95 ms | completion p50 / p95 ms | load (1 min) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...result.throughput.map(
      (t) =>
        `| ${t.workers} | ${t.jobsPerSecond} | ${t.jobs} | ${t.seconds} | ${t.failed} | ${t.shed} | ${t.generateMs.p50} / ${t.generateMs.p95} | ${t.completionMs.p50} / ${t.completionMs.p95} | ${t.loadAverage} |`,
    ),
    '',
    '`shed`: `generate` requests the gateway answered 503 OVERLOADED; each was sent again after its Retry-After.',
    '',
    '## CPU per job (ms, same runs)',
    '',
    `| workers | ${names.join(' | ')} | total |`,
    `|---|${names.map(() => '---|').join('')}---|`,
    ...result.throughput.map(
      (t) =>
        `| ${t.workers} | ${names.map((n) => t.cpuMsPerJob[n] ?? '').join(' | ')} | ${t.totalCpuMsPerJob} |`,
    ),
    '',
    'From /proc/<pid>/stat (user + system) before and after each run. `postgres`: the backends connected to the',
    'generation database; `redis`: the whole Redis server, shared with anything else using it on this machine.',
    'On 2 cores, 250 jobs/s allows 8 ms of CPU per job across every process.',
    '',
    '## Round trips per job (generate → SUCCEEDED, generation API and workers together)',
    '',
    '| workers | jobs | SQL statements / job | Redis commands / job |',
    '|---|---|---|---|',
    ...result.roundTrips.map((r) => `| ${r.workers} | ${r.jobs} | ${r.sqlPerJob} | ${r.redisPerJob} |`),
    '',
    'Counted on the wire in a separate run: a TCP proxy in front of the generation database counts Query and Sync',
    "messages; `redis-cli MONITOR` counts the commands naming the run's random key prefix (not those Lua scripts",
    "run inside Redis), the gateway's included. Pub/sub deliveries to subscribers are not commands and are not counted.",
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
  // freshPostgresDatabase reads the admin URL from here, as in tests.
  process.env.ATRIUM_TEST_POSTGRES_URL =
    process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const concurrency = process.env.BENCH_GENERATION_WORKER_CONCURRENCY;
  const options = {
    redisUrl,
    jobs: Number(process.env.BENCH_GENERATION_JOBS ?? 1000),
    rounds: Number(process.env.BENCH_GENERATION_ROUNDS ?? 2),
    submitConcurrency: Number(process.env.BENCH_GENERATION_SUBMIT ?? 32),
    workerConcurrency: concurrency ? Number(concurrency) : undefined,
    latencySamples: Number(process.env.BENCH_GENERATION_SAMPLES ?? 40),
    workerCounts: (process.env.BENCH_GENERATION_WORKERS ?? '2').split(',').map(Number),
    roundTripJobs: Number(process.env.BENCH_GENERATION_ROUND_TRIP_JOBS ?? 200),
    generationRoot: process.env.BENCH_GENERATION_ROOT,
  };
  const result = await benchGeneration(options);
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    jobs: options.jobs,
    submitConcurrency: options.submitConcurrency,
    workerConcurrency: options.workerConcurrency ?? 'default',
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  };
  // BENCH_GENERATION_OUT: write elsewhere (e.g. /tmp) for exploratory runs; default bench/results.
  const out = process.env.BENCH_GENERATION_OUT ?? RESULTS;
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'generation.json'), `${JSON.stringify({ meta, ...result }, null, 2)}\n`);
  await writeFile(join(out, 'generation.md'), markdown(result, meta));
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

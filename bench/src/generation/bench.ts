import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { INTERNAL_ASSERTION_HEADER, signInternalAssertion, type Principal } from '@atrium/platform/auth';
import { createInfrastructure, type Infrastructure } from '@atrium/platform/infrastructure';
import { freshPostgresDatabase, type TestDatabase } from '@atrium/platform/testing/database';
import { PostgresStatementCounter, RedisCommandCounter } from './counters';
import { startService, type ServiceProcess } from './processes';
import { summarise, type Summary } from './stats';

/**
 * Generation end to end on the production shape: the API process and 1 or 2 separately started worker processes
 * (compiled JS), BullMQ on Redis, PostgreSQL, the local provider with no pacing (so the pipeline — API, queue,
 * worker, database, events — is measured, not the template engine's typing speed). Events are read on the
 * event bus (Redis pub/sub), where the subgraph's subscriptions read them.
 */
export interface GenerationBenchOptions {
  root: string;
  redisUrl: string;
  postgresUrl: string;
  jobs: number;
  /** Requests in flight at once while submitting. */
  submitConcurrency: number;
  workerConcurrency: number;
  latencySamples: number;
  /** Worker process counts to measure, in order (default 1 and 2). */
  workerCounts: number[];
}

/** Round trips per job, counted on the wire in a separate run (the counting proxy would slow the timed ones). */
export interface RoundTripsResult {
  workers: number;
  jobs: number;
  /** SQL statements (simple queries + extended-protocol syncs) of the API and worker processes, per job. */
  sqlPerJob: number;
  /** Redis commands naming the bench's key prefix (not counting those Lua scripts run inside Redis), per job. */
  redisPerJob: number;
}

export interface ThroughputResult {
  workers: number;
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  failed: number;
  generateMs: Summary;
  completionMs: Summary;
}

export interface LatencyResult {
  workers: number;
  /** Time from sending `generate` to its first event (STATUS QUEUED, published by the API process). */
  firstEventMs: Summary;
  /** … to the worker's first event (STATUS RUNNING). */
  runningMs: Summary;
  /** … to the first OUTPUT_DELTA. */
  firstDeltaMs: Summary;
  /** … to the terminal STATUS event. */
  doneMs: Summary;
}

interface Event {
  sequence: number;
  type: string;
  job: { id: string; status: string };
}

const SECRET = randomBytes(32).toString('hex');
const USERS = 20;

class Harness {
  private constructor(
    readonly api: ServiceProcess,
    readonly workers: ServiceProcess[],
    readonly infra: Infrastructure,
    private readonly db: TestDatabase,
    readonly prefix: string,
    readonly sql?: PostgresStatementCounter,
  ) {}

  static async start(
    options: GenerationBenchOptions,
    workerCount: number,
    countSql = false,
  ): Promise<Harness> {
    const db = await freshPostgresDatabase('bench_generation');
    const prefix = `atrium-bench:${randomBytes(4).toString('hex')}:`;
    let databaseUrl = db.databaseUrl!;
    let sql: PostgresStatementCounter | undefined;
    if (countSql) {
      const url = new URL(databaseUrl);
      sql = await PostgresStatementCounter.start({ host: url.hostname, port: Number(url.port || 5432) });
      url.host = `127.0.0.1:${sql.port}`;
      databaseUrl = url.toString();
    }
    const env = {
      NODE_ENV: 'development',
      INTERNAL_TOKEN_SECRET: SECRET,
      REDIS_URL: options.redisUrl,
      REDIS_KEY_PREFIX: prefix,
      GENERATION_DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      GENERATION_PORT: '0',
      GENERATION_WORKER_PORT: '0',
      GENERATION_LOCAL_CHUNK_DELAY_MS: '0',
      GENERATION_CACHE_TTL_SECONDS: '0',
      GENERATION_JOBS_PER_MINUTE: '100000',
      GENERATION_MAX_ACTIVE_PER_USER: '10000',
      GENERATION_WORKER_CONCURRENCY: String(options.workerConcurrency),
      LOG_LEVEL: 'info',
    };
    // BENCH_GENERATION_DIST: another build of the subgraph (e.g. the one before a change, for an A/B run).
    const dist = join(options.root, process.env.BENCH_GENERATION_DIST ?? 'subgraphs/generation/dist');
    const api = await startService('generation', join(dist, 'main.js'), env, options.root);
    const workers = await Promise.all(
      Array.from({ length: workerCount }, (_, i) =>
        startService(`worker-${i}`, join(dist, 'worker/main.js'), env, options.root),
      ),
    );
    const infra = createInfrastructure({ redisUrl: options.redisUrl, keyPrefix: `${prefix}generation:` });
    return new Harness(api, workers, infra, db, prefix, sql);
  }

  async generate(user: number, prompt: string): Promise<string> {
    const principal: Principal = {
      kind: 'user',
      userId: `bench-${user}`,
      roles: ['MEMBER'],
      scopes: [],
      sessionId: null,
      apiKeyId: null,
    };
    const assertion = await signInternalAssertion(principal, { secret: SECRET, audience: 'generation' });
    const response = await fetch(this.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INTERNAL_ASSERTION_HEADER]: assertion },
      body: JSON.stringify({
        query: 'mutation($input: GenerateInput!) { generate(input: $input) { id } }',
        variables: { input: { kind: 'SUMMARY', prompt } },
      }),
    });
    const body = (await response.json()) as { data?: { generate: { id: string } }; errors?: unknown };
    if (!body.data) throw new Error(`generate failed: ${JSON.stringify(body.errors)}`);
    return body.data.generate.id;
  }

  /** Calls `onEvent` for every event of the bench users' jobs; resolves once subscribed. */
  async listen(onEvent: (event: Event, at: number) => void): Promise<() => Promise<void>> {
    const stops = await Promise.all(
      Array.from({ length: USERS }, (_, user) =>
        this.infra.events.subscribe<Event>(`generation.user.bench-${user}`, (event) =>
          onEvent(event, performance.now()),
        ),
      ),
    );
    return async () => void (await Promise.all(stops.map((stop) => stop())));
  }

  async stop(): Promise<void> {
    await this.infra.close();
    await Promise.all([this.api, ...this.workers].map((service) => service.stop()));
    await this.sql?.stop();
    await this.db.drop();
  }
}

const PROMPT =
  'Quarterly review. Revenue grew in every region. Churn fell. Hiring is behind plan. What should we fix first?';
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

async function throughput(
  harness: Harness,
  options: GenerationBenchOptions,
  workers: number,
): Promise<ThroughputResult> {
  const sentAt = new Map<string, number>();
  const completion: number[] = [];
  let failed = 0;
  let remaining = options.jobs;
  let allDone!: () => void;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  const early = new Map<string, number>();
  const stop = await harness.listen((event, at) => {
    if (event.type !== 'STATUS' || !TERMINAL.has(event.job.status)) return;
    if (event.job.status !== 'SUCCEEDED') failed += 1;
    const sent = sentAt.get(event.job.id);
    if (sent === undefined) early.set(event.job.id, at);
    else completion.push(at - sent);
    if (--remaining === 0) allDone();
  });
  const generateMs: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: options.submitConcurrency }, async () => {
      while (next < options.jobs) {
        const n = next++;
        const t0 = performance.now();
        const id = await harness.generate(n % USERS, `${PROMPT} (#${n})`);
        generateMs.push(performance.now() - t0);
        sentAt.set(id, t0);
        const doneAt = early.get(id);
        if (doneAt !== undefined) completion.push(doneAt - t0);
      }
    }),
  );
  await Promise.race([
    finished,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error('jobs did not finish in 5 minutes')), 300_000),
    ),
  ]);
  const seconds = (performance.now() - started) / 1000;
  await stop();
  return {
    workers,
    jobs: options.jobs,
    seconds: Math.round(seconds * 100) / 100,
    jobsPerSecond: Math.round((options.jobs / seconds) * 10) / 10,
    failed,
    generateMs: summarise(generateMs),
    completionMs: summarise(completion),
  };
}

async function latency(
  harness: Harness,
  options: GenerationBenchOptions,
  workers: number,
): Promise<LatencyResult> {
  const marks = new Map<string, { first?: number; running?: number; delta?: number; done?: number }>();
  let waiting: { id: string; resolve: () => void } | undefined;
  const pending = new Map<string, Array<{ type: string; status: string; at: number }>>();
  const record = (id: string, type: string, status: string, at: number) => {
    const mark = marks.get(id);
    if (!mark) return void pending.set(id, [...(pending.get(id) ?? []), { type, status, at }]);
    mark.first ??= at;
    if (status === 'RUNNING') mark.running ??= at;
    if (type === 'OUTPUT_DELTA') mark.delta ??= at;
    if (type === 'STATUS' && TERMINAL.has(status)) {
      mark.done ??= at;
      if (waiting?.id === id) waiting.resolve();
    }
  };
  const stop = await harness.listen((event, at) => record(event.job.id, event.type, event.job.status, at));
  const rows: Array<{
    t0: number;
    mark: { first?: number; running?: number; delta?: number; done?: number };
  }> = [];
  for (let i = 0; i < options.latencySamples; i++) {
    const t0 = performance.now();
    const id = await harness.generate(i % USERS, `${PROMPT} (latency #${i})`);
    const mark = {};
    marks.set(id, mark);
    const done = new Promise<void>((resolve) => (waiting = { id, resolve }));
    for (const early of pending.get(id) ?? []) record(id, early.type, early.status, early.at);
    pending.delete(id);
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    rows.push({ t0, mark });
  }
  await stop();
  const since = (
    pick: (m: { first?: number; running?: number; delta?: number; done?: number }) => number | undefined,
  ) =>
    summarise(rows.map(({ t0, mark }) => (pick(mark) ?? Number.NaN) - t0).filter((x) => Number.isFinite(x)));
  return {
    workers,
    firstEventMs: since((m) => m.first),
    runningMs: since((m) => m.running),
    firstDeltaMs: since((m) => m.delta),
    doneMs: since((m) => m.done),
  };
}

/** Runs `jobs` jobs through a harness whose database connections pass the counting proxy, under MONITOR. */
async function roundTrips(
  options: GenerationBenchOptions,
  workers: number,
  jobs: number,
): Promise<RoundTripsResult> {
  const harness = await Harness.start(options, workers, true);
  try {
    await throughput(harness, { ...options, jobs: Math.min(40, jobs) }, workers);
    const redis = await RedisCommandCounter.start(options.redisUrl, harness.prefix);
    const sqlBefore = harness.sql!.statements;
    try {
      await throughput(harness, { ...options, jobs }, workers);
    } finally {
      await redis.stop();
    }
    const sql = harness.sql!.statements - sqlBefore;
    return {
      workers,
      jobs,
      sqlPerJob: Math.round((sql / jobs) * 10) / 10,
      redisPerJob: Math.round((redis.commands / jobs) * 10) / 10,
    };
  } finally {
    await harness.stop();
  }
}

export async function benchGeneration(options: GenerationBenchOptions): Promise<{
  throughput: ThroughputResult[];
  latency: LatencyResult[];
  roundTrips: RoundTripsResult[];
}> {
  const result = {
    throughput: [] as ThroughputResult[],
    latency: [] as LatencyResult[],
    roundTrips: [] as RoundTripsResult[],
  };
  for (const workers of options.workerCounts) {
    const harness = await Harness.start(options, workers);
    try {
      // A short warm-up: JIT, connection pools, prepared statements.
      await throughput(harness, { ...options, jobs: Math.min(40, options.jobs) }, workers);
      result.throughput.push(await throughput(harness, options, workers));
      result.latency.push(await latency(harness, options, workers));
    } finally {
      await harness.stop();
    }
    result.roundTrips.push(await roundTrips(options, workers, 200));
  }
  return result;
}

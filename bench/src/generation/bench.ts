import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import { createInfrastructure, type Infrastructure } from '@atrium/platform/infrastructure';
import { GraphQLFailure, httpClient, type HttpClient } from '../load/user';
import { RedisCommandCounter } from './counters';
import { procCpuSeconds, startGenerationStack, type GenerationStack } from './stack';
import { summarise, type Summary } from './stats';

/**
 * Generation end to end through the gateway on the production shape: users sign in, send `generate` to the
 * gateway with their access token (gateway → generation API → BullMQ on Redis → 1 or 2 separate worker
 * processes → PostgreSQL → event bus), every service its own process. The local provider runs unpaced, so the
 * pipeline is measured, not the template engine's typing speed. Completion is observed on the event bus (Redis
 * pub/sub, the per-user topics the subgraph's subscriptions read): the cheapest correct signal, costing the
 * services nothing, whereas a subscription or a poll per job through the gateway would add its own work.
 */
export interface GenerationBenchOptions {
  redisUrl: string;
  jobs: number;
  /** Requests in flight at once while submitting. */
  submitConcurrency: number;
  /** GENERATION_WORKER_CONCURRENCY of each worker; undefined: the service's default. */
  workerConcurrency?: number;
  latencySamples: number;
  /** Worker process counts to measure, in order. */
  workerCounts: number[];
  /** Timed throughput runs per worker count (after a warm-up), each reported. */
  rounds: number;
  /** Jobs of the round-trip counting run (0: skip it). */
  roundTripJobs: number;
  /** Another checkout to run the generation API and workers from (A/B); default this tree. */
  generationRoot?: string;
}

/** Round trips per job, counted on the wire in a separate run (the counting proxy would slow the timed ones). */
export interface RoundTripsResult {
  workers: number;
  jobs: number;
  /** SQL statements (simple queries + extended-protocol syncs) of the API and worker processes, per job. */
  sqlPerJob: number;
  /** Redis commands naming the stack's key prefix (not counting those Lua scripts run inside Redis), per job. */
  redisPerJob: number;
}

export interface ThroughputResult {
  workers: number;
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  failed: number;
  /** `generate` requests shed by the gateway (503 OVERLOADED) and sent again after Retry-After. */
  shed: number;
  generateMs: Summary;
  completionMs: Summary;
  /** CPU milliseconds per job by process: the stack's Node processes, `postgres` (the generation database's
   * backends) and `redis` (the whole server, shared with anything else using it). */
  cpuMsPerJob: Record<string, number>;
  /** Sum of cpuMsPerJob. */
  totalCpuMsPerJob: number;
  /** 1-minute load average when the run ended. */
  loadAverage: number;
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

const USERS = 20;
const PASSWORD = 'Bench-generation-password-0123456789';
const run = promisify(execFile);

/** The Redis server's pid (INFO server), so its CPU can be read from /proc like every other process's. */
async function redisPid(redisUrl: string): Promise<number | undefined> {
  try {
    const { stdout } = await run('redis-cli', ['-u', redisUrl, 'info', 'server']);
    const pid = /process_id:(\d+)/.exec(stdout)?.[1];
    return pid ? Number(pid) : undefined;
  } catch {
    return undefined;
  }
}

class Harness {
  private constructor(
    readonly stack: GenerationStack,
    readonly http: HttpClient,
    readonly infra: Infrastructure,
    /** Access token and user id of each bench user. */
    readonly users: Array<{ token: string; id: string }>,
    private readonly redisServerPid: number | undefined,
  ) {}

  static async start(options: GenerationBenchOptions, workers: number, countSql = false): Promise<Harness> {
    const stack = await startGenerationStack({
      redisUrl: options.redisUrl,
      workers,
      workerConcurrency: options.workerConcurrency,
      countSql,
      generationRoot: options.generationRoot,
    });
    try {
      const http = httpClient(stack.gatewayUrl, options.submitConcurrency + 4);
      const users = [];
      for (let i = 0; i < USERS; i++) {
        const email = `bench-${i}-${randomBytes(3).toString('hex')}@example.com`;
        await http.graphql('mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
          i: { email, password: PASSWORD, displayName: `Bench ${i}` },
        });
        const { signIn } = await http.graphql<{ signIn: { accessToken?: string } }>(
          'mutation($i: SignInInput!) { signIn(input: $i) { ... on AuthPayload { accessToken } } }',
          { i: { email, password: PASSWORD } },
        );
        if (!signIn.accessToken) throw new Error('sign-in gave no access token');
        const { me } = await http.graphql<{ me: { id: string } }>(
          '{ me { id } }',
          undefined,
          signIn.accessToken,
        );
        users.push({ token: signIn.accessToken, id: me.id });
      }
      const infra = createInfrastructure({
        redisUrl: options.redisUrl,
        keyPrefix: `${stack.prefix}generation:`,
      });
      return new Harness(stack, http, infra, users, await redisPid(options.redisUrl));
    } catch (error) {
      await stack.stop();
      throw error;
    }
  }

  /** `generate` requests the gateway shed (503 OVERLOADED); each was sent again after its Retry-After. */
  shed = 0;

  async generate(user: number, prompt: string): Promise<string> {
    for (;;) {
      try {
        const { generate } = await this.http.graphql<{ generate: { id: string } }>(
          'mutation($input: GenerateInput!) { generate(input: $input) { id } }',
          { input: { kind: 'SUMMARY', prompt } },
          this.users[user]!.token,
        );
        return generate.id;
      } catch (error) {
        // Shed by the gateway: a real client waits as told and sends it again.
        if (!(error instanceof GraphQLFailure) || error.retryAfterMs === undefined) throw error;
        this.shed += 1;
        await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
      }
    }
  }

  /** CPU seconds so far of every process the pipeline runs on. */
  async cpu(): Promise<{ processes: Record<string, number>; postgres: Map<number, number>; redis: number }> {
    const processes: Record<string, number> = {};
    for (const [name, service] of Object.entries(this.stack.processes))
      processes[name] = service.cpuSeconds();
    const postgres = await this.stack.postgresCpu();
    const redis = this.redisServerPid === undefined ? 0 : (procCpuSeconds(this.redisServerPid) ?? 0);
    return { processes, postgres, redis };
  }

  /** Calls `onEvent` for every event of the bench users' jobs; resolves once subscribed. */
  async listen(onEvent: (event: Event, at: number) => void): Promise<() => Promise<void>> {
    const stops = await Promise.all(
      this.users.map(({ id }) =>
        this.infra.events.subscribe<Event>(`generation.user.${id}`, (event) =>
          onEvent(event, performance.now()),
        ),
      ),
    );
    return async () => void (await Promise.all(stops.map((stop) => stop())));
  }

  async stop(): Promise<void> {
    await this.infra.close();
    await this.http.close();
    await this.stack.stop();
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
  const cpuBefore = await harness.cpu();
  const shedBefore = harness.shed;
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
  const cpuAfter = await harness.cpu();
  await stop();
  const perJob = (cpuSeconds: number) => Math.round(((cpuSeconds * 1000) / options.jobs) * 100) / 100;
  const cpuMsPerJob: Record<string, number> = {};
  for (const [name, after] of Object.entries(cpuAfter.processes))
    cpuMsPerJob[name] = perJob(after - (cpuBefore.processes[name] ?? 0));
  let postgres = 0;
  for (const [pid, after] of cpuAfter.postgres) postgres += after - (cpuBefore.postgres.get(pid) ?? 0);
  cpuMsPerJob.postgres = perJob(postgres);
  cpuMsPerJob.redis = perJob(cpuAfter.redis - cpuBefore.redis);
  return {
    workers,
    jobs: options.jobs,
    seconds: Math.round(seconds * 100) / 100,
    jobsPerSecond: Math.round((options.jobs / seconds) * 10) / 10,
    failed,
    shed: harness.shed - shedBefore,
    generateMs: summarise(generateMs),
    completionMs: summarise(completion),
    cpuMsPerJob,
    totalCpuMsPerJob: Math.round(Object.values(cpuMsPerJob).reduce((sum, ms) => sum + ms, 0) * 100) / 100,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
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
    const redis = await RedisCommandCounter.start(options.redisUrl, harness.stack.prefix);
    const sqlBefore = harness.stack.sql!.statements;
    try {
      await throughput(harness, { ...options, jobs }, workers);
    } finally {
      await redis.stop();
    }
    const sql = harness.stack.sql!.statements - sqlBefore;
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
      await throughput(harness, { ...options, jobs: Math.min(200, options.jobs) }, workers);
      for (let round = 0; round < options.rounds; round++)
        result.throughput.push(await throughput(harness, options, workers));
      result.latency.push(await latency(harness, options, workers));
    } finally {
      await harness.stop();
    }
    if (options.roundTripJobs > 0)
      result.roundTrips.push(await roundTrips(options, workers, options.roundTripJobs));
  }
  return result;
}

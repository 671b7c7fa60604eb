// The realistic load test: virtual users (undici over keep-alive, graphql-ws for subscriptions) against the whole
// stack on PostgreSQL + Redis with two generation workers, each service in its own process.
//
// Users arrive as people do, not in a stampede: one at a time, with exponentially distributed gaps (a Poisson
// process at LOAD_ARRIVALS_PER_SECOND). Each signs in once, then loops with 1 s think time: `me`, a page of its
// jobs, and every tenth loop `generate`, watching the job over a subscription through the gateway until it ends,
// then its export URL and the download. Like a real client it refreshes its access token before it expires
// (at 70-90 % of its lifetime; the stack issues 60 s tokens, production's minimum, so a run sees refreshes), and
// when it is shed (503) it waits for Retry-After before its next request.
//
// Steps are cumulative: the population grows to each step's size (the users already in keep looping), then the
// step measures LOAD_STEP_SECONDS of steady state. Per step: p50/p95/p99 per operation, errors by code, CPU per
// request per process, the load average. Sign-in (measured over the step's arrivals) and generate/watch are
// reported but not held to the 200 ms target. Writes bench/results/load.{json,md}.
//
//   pnpm bench:load   (LOAD_STEPS=100,250,500,750,1000 LOAD_STEP_SECONDS=30 LOAD_ARRIVALS_PER_SECOND=10
//                      LOAD_WORKERS=2 LOAD_IDLE_SECONDS=10 LOAD_CPU_PROF=identity,generation override; ADMISSION_*
//                      variables are passed to the gateway, e.g. ADMISSION_LATENCY_TARGET_MS=0 for a fixed
//                      concurrency limit)
//
// CPU is counted for the whole machine's share of the run: every process of the stack, this client, the PostgreSQL
// backends of the run's databases and the (shared) Redis server. Before the first user arrives the stack idles for
// LOAD_IDLE_SECONDS with nobody signed in: that is its background cost (timers, polls, health checks), reported per
// second; each step reports CPU per second and per request, and per request above that background.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentiles, type Percentiles } from '../gateway/load';
import { ROOT } from '../gateway/processes';
import { cpuMsBetween, machineCpu } from './cpu';
import { startStack, type Stack } from './stack';
import { GraphQLFailure, httpClient, watchJob, wsClient, type HttpClient, type Sample } from './user';
import { runBenchmark } from '../main';

const STEPS = (process.env.LOAD_STEPS ?? '100,250,500,750,1000').split(',').map(Number);
const STEP_SECONDS = Number(process.env.LOAD_STEP_SECONDS ?? 30);
const ARRIVALS_PER_SECOND = Number(process.env.LOAD_ARRIVALS_PER_SECOND ?? 10);
const WORKERS = Number(process.env.LOAD_WORKERS ?? 2);
const IDLE_SECONDS = Number(process.env.LOAD_IDLE_SECONDS ?? 10);
const ACCESS_TOKEN_TTL_SECONDS = 60;
const THINK_MS = 1000;
const SIGN_IN_ATTEMPTS = 5;
const PASSWORD = 'Load-test-password-0123456789';
const TARGET_P95_MS = 200;
// Sign-in is Argon2id by design and happens once per user; generation and the watch include the job's own run
// time (the local provider streams for a while). All three are reported, none held to the 200 ms target.
const EXEMPT = new Set(['signIn', 'generate', 'watch']);
// Codes that mean a request waited into a timeout rather than being shed at once.
const TIMEOUT_CODES = new Set(['GATEWAY_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

interface StepResult {
  users: number;
  seconds: number;
  loadavg: number[];
  /**
   * p99 of this client process's own event-loop delay over the window, ms: latencies include it, so a large value
   * means the machine (not only the stack) was too busy for them to mean much.
   */
  clientLoopDelayP99Ms: number;
  operations: Record<string, Percentiles & { count: number; errors: number }>;
  errorsByCode: Record<string, number>;
  requests: number;
  /**
   * Operations that succeeded: CPU is divided by these, since a shed request costs next to nothing and would make
   * a run that sheds more look cheaper per request.
   */
  served: number;
  cpuMsPerRequest: Record<string, number>;
  cpuMsPerSecond: Record<string, number>;
  /** CPU per request once the idle background (ms per second × the window) is taken off. */
  cpuMsPerRequestAboveIdle: Record<string, number>;
  timeouts: number;
  /** The gateway's admission metrics at the end of the step (limit in force, refusals so far by reason). */
  admission: Record<string, number>;
  /** Every error is a 503 shed with Retry-After (OVERLOADED): the 1,000-user target's condition. */
  onlyShed: boolean;
  meetsTarget: boolean;
}

interface Session {
  accessToken: string;
  refreshToken: string;
  refreshAt: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number) => Math.round(n * 100) / 100;
const AUTH_FIELDS = 'accessToken refreshToken accessTokenExpiresAt';

/** Refresh somewhere in 70-90 % of the token's life, as clients do (and so a crowd does not refresh at once). */
function session(payload: {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
}): Session {
  const left = Date.parse(payload.accessTokenExpiresAt) - Date.now();
  return { ...payload, refreshAt: Date.now() + left * (0.7 + Math.random() * 0.2) };
}

async function timed<T>(
  samples: Sample[],
  operation: string,
  fn: () => Promise<T>,
): Promise<T | GraphQLFailure> {
  const started = performance.now();
  try {
    const value = await fn();
    samples.push({ operation, ms: performance.now() - started, at: performance.now() });
    return value;
  } catch (error) {
    const failure =
      error instanceof GraphQLFailure
        ? error
        : new GraphQLFailure((error as NodeJS.ErrnoException).code ?? 'ERROR');
    samples.push({ operation, ms: performance.now() - started, at: performance.now(), error: failure.code });
    return failure;
  }
}

/** After a failure a real client waits: Retry-After when shed, else its think time. */
const backOff = (failure: GraphQLFailure) => sleep(Math.max(THINK_MS, failure.retryAfterMs ?? 0));

async function signIn(http: HttpClient, email: string, samples: Sample[]): Promise<Session | undefined> {
  for (let attempt = 0; attempt < SIGN_IN_ATTEMPTS; attempt++) {
    const result = await timed(samples, 'signIn', () =>
      http.graphql<{ signIn: { accessToken: string; refreshToken: string; accessTokenExpiresAt: string } }>(
        `mutation($i: SignInInput!) { signIn(input: $i) { ... on AuthPayload { ${AUTH_FIELDS} } } }`,
        { i: { email, password: PASSWORD } },
      ),
    );
    if (!(result instanceof GraphQLFailure)) return session(result.signIn);
    await backOff(result);
  }
  return undefined;
}

/** One virtual user until `running()` turns false. */
async function virtualUser(
  http: HttpClient,
  gatewayUrl: string,
  email: string,
  samples: Sample[],
  running: () => boolean,
) {
  let current = await signIn(http, email, samples);
  if (!current) return;
  const ws = wsClient(gatewayUrl, () => current!.accessToken);
  // Runs one operation with a fresh token; false when the user has to stop (its session is gone).
  const call = async <T>(operation: string, fn: (token: string) => Promise<T>): Promise<T | undefined> => {
    while (current && Date.now() >= current.refreshAt) {
      const refreshed = await timed(samples, 'refresh', () =>
        http.graphql<{
          refreshSession: { accessToken: string; refreshToken: string; accessTokenExpiresAt: string };
        }>(`mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`, {
          t: current!.refreshToken,
        }),
      );
      if (!(refreshed instanceof GraphQLFailure)) current = session(refreshed.refreshSession);
      else if (refreshed.retryAfterMs !== undefined) await backOff(refreshed);
      else current = undefined;
    }
    if (!current) return undefined;
    const result = await timed(samples, operation, () => fn(current!.accessToken));
    if (!(result instanceof GraphQLFailure)) return result;
    if (result.retryAfterMs !== undefined) await backOff(result);
    return undefined;
  };
  try {
    for (let loop = 0; running() && current; loop++) {
      await call('me', (token) => http.graphql('{ me { id displayName email } }', undefined, token));
      await sleep(THINK_MS);
      await call('listJobs', (token) =>
        http.graphql(
          '{ generationJobs(first: 10) { totalCount edges { node { id title status createdAt } } } }',
          undefined,
          token,
        ),
      );
      await sleep(THINK_MS);
      if (loop % 10 !== 0 || !running()) continue;
      const job = await call('generate', (token) =>
        http.graphql<{ generate: { id: string } }>(
          'mutation($i: GenerateInput!) { generate(input: $i) { id status } }',
          { i: { kind: 'SUMMARY', title: 'Load test', prompt: `Summarise loop ${loop} of ${email}.` } },
          token,
        ),
      );
      if (!job) continue;
      await call('watch', () => watchJob(ws, job.generate.id));
      const exported = await call('exportUrl', (token) =>
        http.graphql<{ generationJob: { exportUrl: string | null } }>(
          'query($id: ID!) { generationJob(id: $id) { exportUrl(format: MARKDOWN) } }',
          { id: job.generate.id },
          token,
        ),
      );
      const href = exported?.generationJob.exportUrl;
      if (href) await call('export', () => http.get(href));
      await sleep(THINK_MS);
    }
  } finally {
    await ws.dispose();
  }
}

async function signUpUsers(http: HttpClient, count: number): Promise<string[]> {
  const emails = Array.from({ length: count }, (_, i) => `load-${Date.now().toString(36)}-${i}@example.com`);
  for (let i = 0; i < emails.length; i += 4)
    await Promise.all(
      emails.slice(i, i + 4).map((email) =>
        http.graphql('mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
          i: { email, password: PASSWORD, displayName: 'Load' },
        }),
      ),
    );
  return emails;
}

/** The population: users arrive (Poisson) until it reaches a step's size, and keep looping until the end. */
function population(stack: Stack, http: HttpClient, emails: string[], samples: Sample[]) {
  const users: Promise<void>[] = [];
  let running = true;
  return {
    async growTo(size: number) {
      while (users.length < size) {
        users.push(virtualUser(http, stack.gatewayUrl, emails[users.length]!, samples, () => running));
        await sleep((-Math.log(1 - Math.random()) / ARRIVALS_PER_SECOND) * 1000);
      }
    },
    async stop() {
      running = false;
      await Promise.all(users);
    },
  };
}

function summarise(
  users: number,
  signIns: Sample[],
  window: Sample[],
  cpuMs: Record<string, number>,
  idleMsPerSecond: Record<string, number>,
  clientLoopDelayP99Ms: number,
  admission: Record<string, number>,
): StepResult {
  const all = [...signIns, ...window];
  const operations: StepResult['operations'] = {};
  const errorsByCode: Record<string, number> = {};
  for (const name of new Set(all.map((s) => s.operation))) {
    const mine = all.filter((s) => s.operation === name);
    const ok = mine.filter((s) => !s.error).map((s) => s.ms);
    operations[name] = { ...percentiles(ok), count: mine.length, errors: mine.length - ok.length };
  }
  for (const s of all) if (s.error) errorsByCode[s.error] = (errorsByCode[s.error] ?? 0) + 1;
  const requests = window.length;
  const served = window.filter((s) => !s.error).length;
  return {
    users,
    seconds: STEP_SECONDS,
    loadavg: loadavg().map(round),
    clientLoopDelayP99Ms: round(clientLoopDelayP99Ms),
    operations,
    errorsByCode,
    requests,
    served,
    cpuMsPerRequest: Object.fromEntries(
      Object.entries(cpuMs).map(([n, ms]) => [n, round(ms / Math.max(1, served))]),
    ),
    cpuMsPerSecond: Object.fromEntries(Object.entries(cpuMs).map(([n, ms]) => [n, round(ms / STEP_SECONDS)])),
    cpuMsPerRequestAboveIdle: Object.fromEntries(
      Object.entries(cpuMs).map(([n, ms]) => [
        n,
        round((ms - (idleMsPerSecond[n] ?? 0) * STEP_SECONDS) / Math.max(1, served)),
      ]),
    ),
    timeouts: all.filter((s) => s.error && TIMEOUT_CODES.has(s.error)).length,
    admission,
    onlyShed: Object.keys(errorsByCode).every((code) => code === 'OVERLOADED'),
    meetsTarget:
      Object.keys(errorsByCode).length === 0 &&
      Object.entries(operations).every(([name, o]) => EXEMPT.has(name) || o.p95 < TARGET_P95_MS),
  };
}

const byProcess = (values: Record<string, number>) =>
  `${Object.entries(values)
    .map(([n, ms]) => `${n} ${ms}`)
    .join(', ')} (total ${round(Object.values(values).reduce((a, b) => a + b, 0))})`;

function markdown(report: {
  date: string;
  machine: Record<string, unknown>;
  idleCpuMsPerSecond: Record<string, number>;
  steps: StepResult[];
  largest: number | null;
}) {
  const lines = [
    '# Load test: virtual users through the gateway',
    '',
    `Run ${report.date}; machine ${JSON.stringify(report.machine)}. The whole stack on PostgreSQL + Redis, one process per`,
    `service, ${WORKERS} generation workers. Users arrive one by one (Poisson, ${ARRIVALS_PER_SECOND} a second), sign in`,
    `once, then loop with ${THINK_MS / 1000} s think time: me, a page of jobs, and every tenth loop generate → watch over`,
    'graphql-ws → export URL → download; they refresh their 60 s access tokens at 70-90 % of their life and wait for',
    'Retry-After when shed. Steps are cumulative (the population grows, nobody signs in twice); each measures ' +
      `${STEP_SECONDS} s of steady state after its arrivals. Sign-in is counted over the step's arrivals; CPU per served`,
    '(not shed) request is over the steady-state window. Latency in ms.',
    '',
    `Largest user count with p95 < ${TARGET_P95_MS} ms on every operation except sign-in and generate/watch, and no errors: ` +
      `**${report.largest ?? 'none of the steps'}**.`,
    '',
    `Background CPU with nobody signed in (${IDLE_SECONDS} s before the first arrival), ms per second by process: ` +
      `${byProcess(report.idleCpuMsPerSecond)}. \`load-client\` is this bench, \`postgres\` the backends of the ` +
      "run's databases, `redis` the whole (shared) Redis server.",
    '',
  ];
  for (const s of report.steps) {
    lines.push(
      `## ${s.users} users (${s.requests} operations, ${(s.requests / s.seconds).toFixed(1)} per second, ${s.served} served; load average ${s.loadavg.join(', ')}; client event-loop delay p99 ${s.clientLoopDelayP99Ms} ms)`,
      '',
      '| operation | count | p50 | p95 | p99 | max | errors |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...Object.entries(s.operations).map(
        ([name, o]) => `| ${name} | ${o.count} | ${o.p50} | ${o.p95} | ${o.p99} | ${o.max} | ${o.errors} |`,
      ),
      '',
      `Errors by code: ${JSON.stringify(s.errorsByCode)}; waited into a timeout: ${s.timeouts}; ` +
        `every error shed with Retry-After: ${s.onlyShed ? 'yes' : 'no'}; target met: ${s.meetsTarget ? 'yes' : 'no'}.`,
      `CPU ms per served request by process: ${byProcess(s.cpuMsPerRequest)}.`,
      `CPU ms per served request above the idle background: ${byProcess(s.cpuMsPerRequestAboveIdle)}.`,
      `CPU ms per second by process: ${byProcess(s.cpuMsPerSecond)}.`,
      `Gateway admission at the end of the step (refusals since the start): ${JSON.stringify(s.admission)}.`,
      '',
    );
  }
  return lines.join('\n');
}

/** The gateway's `gateway_admission_*` samples from its /metrics (`name{labels}` → value). */
async function admissionMetrics(gatewayUrl: string): Promise<Record<string, number>> {
  const response = await fetch(new URL('/metrics', gatewayUrl));
  const text = await response.text();
  const found: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^\w*gateway_admission_(\S+) (\S+)$/.exec(line);
    if (match) found[match[1]!] = Number(match[2]);
  }
  return found;
}

async function main(): Promise<void> {
  const date = new Date().toISOString();
  const loadBefore = loadavg();
  const profiled = (process.env.LOAD_CPU_PROF ?? '').split(',').filter(Boolean);
  const stack = await startStack({
    workers: WORKERS,
    accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
    profiled,
  });
  // One connection per user at most, as every browser has its own: the client must not queue requests itself.
  const http = httpClient(stack.gatewayUrl, Math.max(...STEPS));
  const samples: Sample[] = [];
  const crowd = population(stack, http, await signUpUsers(http, Math.max(...STEPS)), samples);
  const cpu = machineCpu(
    { ...stack.processes },
    stack.postgresUrl,
    // freshPostgresDatabase names them test_<label>_<service>_…; `_` is a LIKE wildcard, which is harmless here.
    'test_load_',
  );
  try {
    await sleep(2000); // the sign-ups' last work
    const idleFrom = await cpu.snapshot();
    await sleep(IDLE_SECONDS * 1000);
    const idleMs = cpuMsBetween(idleFrom, await cpu.snapshot());
    const idleCpuMsPerSecond = Object.fromEntries(
      Object.entries(idleMs).map(([n, ms]) => [n, round(ms / IDLE_SECONDS)]),
    );
    process.stdout.write(`idle: ${JSON.stringify(idleCpuMsPerSecond)}\n`);
    const steps: StepResult[] = [];
    for (const users of STEPS) {
      process.stdout.write(`step: ${users} users…\n`);
      const arrivalsFrom = performance.now();
      await crowd.growTo(users);
      await sleep(2000); // the last arrivals' sign-ins
      const windowFrom = performance.now();
      const cpuBefore = await cpu.snapshot();
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      await sleep(STEP_SECONDS * 1000);
      loopDelay.disable();
      const cpuMs = cpuMsBetween(cpuBefore, await cpu.snapshot());
      const windowTo = performance.now();
      const result = summarise(
        users,
        samples.filter((s) => s.operation === 'signIn' && s.at >= arrivalsFrom && s.at < windowTo),
        samples.filter((s) => s.operation !== 'signIn' && s.at >= windowFrom && s.at < windowTo),
        cpuMs,
        idleCpuMsPerSecond,
        loopDelay.percentile(99) / 1e6,
        await admissionMetrics(stack.gatewayUrl),
      );
      steps.push(result);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
    const passing = steps.filter((s) => s.meetsTarget).map((s) => s.users);
    const report = {
      date,
      machine: {
        cpus: cpus().length,
        node: process.version,
        loadavgBefore: loadBefore,
        loadavgAfter: loadavg(),
      },
      idleCpuMsPerSecond,
      steps,
      largest: passing.length ? Math.max(...passing) : null,
    };
    writeFileSync(join(ROOT, 'bench/results/load.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(ROOT, 'bench/results/load.md'), markdown(report));
    process.stdout.write(markdown(report));
  } finally {
    await crowd.stop();
    await http.close();
    await stack.stop();
  }
}

runBenchmark(main);

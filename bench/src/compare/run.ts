// Atrium's gateway beside stock @apollo/gateway 2.14.4 (bench/src/compare/stock-gateway.ts): the same supergraph,
// the same four subgraphs (one process, embedded mode), the same signed-in user and read-heavy operation. Rounds
// are interleaved (the order flips every round) in one process tree; both gateways are pinned to CPU 1, the
// subgraphs and this client to CPU 0. Per round and gateway: requests per gateway CPU-second in a closed loop,
// then p50/p95/p99 at a fixed open-loop rate with the gateway's event-loop delay and GC pauses (probe.ts).
// With BENCH_PROFILE=1 a last pass runs each gateway under --cpu-prof and summarises where its CPU goes.
// Writes bench/results/compare.{json,md}.
//
//   pnpm bench:compare            (BENCH_ROUNDS, BENCH_SATURATION_MS, BENCH_RATE, BENCH_RATE_MS override)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { closedLoop, openLoop, postJson, type OpenLoopResult, type Operation } from '../gateway/load';
import { schemaTypes, seedJobs, signUp } from '../gateway/operations';
import { ROOT, startService, type Service } from '../gateway/processes';
import type { ProbeWindow } from './probe';
import { releaseBenchLock, takeBenchLock } from './lock';
import { DASHBOARD } from './operation';
import { summariseProfile, type ProfileSummary } from './profile';
import { compareMarkdown, type CompareReport, type GatewayRound } from './report';

const SECRET = 'bench-internal-secret-0123456789abcdef0123456789';
// The highest value the gateway accepts: the limiters still run (their cost is measured) but never refuse.
const UNLIMITED = String(60_000_000);
const numberEnv = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROUNDS = numberEnv('BENCH_ROUNDS', 7);
// No new round starts once this budget is spent (BENCH_LOCK is held at most that long).
const BUDGET_MS = numberEnv('BENCH_BUDGET_MS', 9 * 60_000);
const SATURATION_MS = numberEnv('BENCH_SATURATION_MS', 6000);
const CONCURRENCY = numberEnv('BENCH_CONCURRENCY', 16);
const RATE = numberEnv('BENCH_RATE', 40);
const RATE_MS = numberEnv('BENCH_RATE_MS', 10_000);
const PROFILE = process.env.BENCH_PROFILE === '1';
// One user per closed-loop worker: each has one request in flight, as a person would, so in-flight dedup
// (which only ever shares within one principal) cannot flatter the numbers.
const USERS = CONCURRENCY;
const JOBS_PER_USER = 5;
const GATEWAY_CPUS = '1';
const CLIENT_CPUS = '0';
const PROFILES_DIR = join(ROOT, 'bench', 'results', 'profiles');

type Name = 'atrium' | 'stock';
interface Gateway {
  name: Name;
  service: Service;
  url: string;
}

type Urls = Record<'identity' | 'integrations' | 'generation' | 'monitoring', string>;

async function startGateway(name: Name, urls: Urls): Promise<Gateway> {
  const common = {
    INTERNAL_TOKEN_SECRET: SECRET,
    IDENTITY_URL: urls.identity,
    INTEGRATIONS_URL: urls.integrations,
    GENERATION_URL: urls.generation,
    MONITORING_URL: urls.monitoring,
  };
  const extra =
    name === 'atrium' ? (process.env.BENCH_ATRIUM_NODE_ARGS ?? '').split(' ').filter(Boolean) : [];
  const args = [...extra, '-r', join(__dirname, 'probe.ts')];
  const options = { cpus: GATEWAY_CPUS, ipc: true };
  const service =
    name === 'atrium'
      ? await startService(
          'gateway/src/main.ts',
          {
            ...common,
            LOG_LEVEL: 'info',
            GATEWAY_HOST: '127.0.0.1',
            GATEWAY_PORT: '0',
            RATE_LIMIT_IP_PER_MINUTE: UNLIMITED,
            RATE_LIMIT_USER_PER_MINUTE: UNLIMITED,
            RATE_LIMIT_API_KEY_PER_MINUTE: UNLIMITED,
            RATE_LIMIT_INTROSPECTION_PER_MINUTE: UNLIMITED,
            // Admission control runs but never sheds: a shed request is a cheap error that would flatter
            // requests per CPU-second, and on a loaded machine the event-loop gate trips on others' load.
            ADMISSION_MAX_QUEUE: '1000000',
            ADMISSION_QUEUE_TIMEOUT_MS: '60000',
            ADMISSION_MAX_EVENT_LOOP_DELAY_MS: '60000',
          },
          /"url":"([^"]+)"[^\n]*"msg":"ready"/,
          args,
          options,
        )
      : await startService('bench/src/compare/stock-gateway.ts', common, /STOCK (\S+)\n/, args, options);
  return { name, service, url: service.ready[1]! };
}

/** Sends a message to the gateway's probe and waits for the answer carrying `key`. */
function ask<T>(gateway: Gateway, message: unknown, key: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (answer: unknown) => {
      if (typeof answer === 'object' && answer !== null && key in answer) {
        gateway.service.child.off('message', onMessage);
        resolve((answer as Record<string, T>)[key]!);
      }
    };
    gateway.service.child.on('message', onMessage);
    gateway.service.child.send(message as string);
  });
}

const probe = (gateway: Gateway) => ask<ProbeWindow>(gateway, 'probe', 'probe');

async function measure(gateway: Gateway, operation: Operation): Promise<GatewayRound> {
  await closedLoop(operation, 4, 1000);
  const cpuBefore = gateway.service.cpuSeconds();
  const saturation = await closedLoop(operation, CONCURRENCY, SATURATION_MS);
  const cpuSeconds = gateway.service.cpuSeconds() - cpuBefore;
  await probe(gateway);
  const fixed: OpenLoopResult = await openLoop(operation, RATE, RATE_MS);
  const window = await probe(gateway);
  return {
    requestsPerSecond: Math.round(saturation.completed / saturation.seconds),
    requestsPerCpuSecond: Math.round(saturation.completed / cpuSeconds),
    cpuMsPerRequestSaturated: round((cpuSeconds * 1000) / saturation.completed),
    saturationErrors: saturation.errors,
    fixed,
    cpuMsPerRequestAtRate: round(window.cpuMs / fixed.sent),
    gcShareAtRate: round(window.gc.totalMs / window.cpuMs),
    loopDelay: window.loopDelay,
    gc: window.gc,
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** The dashboard for one user per slot: one request in flight per user in the closed loop, as real users. */
function operationFor(url: string, tokens: string[]): Operation {
  const body = JSON.stringify({ query: DASHBOARD });
  const headers = tokens.map((token) => ({ authorization: `Bearer ${token}` }));
  return (slot = 0) => postJson(url, body, headers[slot % headers.length]).then(() => undefined);
}

/** Both gateways must give the same answer before either is timed (waiting for seeded jobs to finish). */
async function sameAnswers(gateways: Gateway[], token: string): Promise<void> {
  const body = JSON.stringify({ query: DASHBOARD });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answers = await Promise.all(
      gateways.map((g) => postJson(g.url, body, { authorization: `Bearer ${token}` })),
    );
    if (JSON.stringify(answers[0]) === JSON.stringify(answers[1])) return;
    if (Date.now() > deadline) throw new Error('the gateways answer differently');
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** One more closed-loop phase per warm gateway under the V8 profiler; profiles land in bench/results/profiles. */
async function profileGateways(gateways: Gateway[], tokens: string[]): Promise<Record<Name, ProfileSummary>> {
  mkdirSync(PROFILES_DIR, { recursive: true });
  const summaries = {} as Record<Name, ProfileSummary>;
  for (const gateway of gateways) {
    const path = join(PROFILES_DIR, `${gateway.name}.cpuprofile`);
    const operation = operationFor(gateway.url, tokens);
    await ask(gateway, { profile: 'start' }, 'profiled');
    await closedLoop(operation, CONCURRENCY, SATURATION_MS);
    await ask(gateway, { profile: 'stop', path }, 'profiled');
    summaries[gateway.name] = summariseProfile(path);
  }
  return summaries;
}

async function main(): Promise<void> {
  const started = new Date();
  const loadBefore = loadavg();
  execFileSync('taskset', ['-p', '-c', CLIENT_CPUS, String(process.pid)], { stdio: 'ignore' });
  const subgraphs = await startService(
    'bench/src/gateway/subgraphs.ts',
    { INTERNAL_TOKEN_SECRET: SECRET, NODE_ENV: 'development' },
    /SUBGRAPHS (\{.*\})\n/,
    [],
    { cpus: CLIENT_CPUS },
  );
  const gateways: Gateway[] = [];
  try {
    const urls = JSON.parse(subgraphs.ready[1]!) as Urls;
    gateways.push(await startGateway('atrium', urls), await startGateway('stock', urls));
    const atrium = gateways[0]!;
    const types = await schemaTypes(atrium.url);
    const sessions = [];
    for (let i = 0; i < USERS; i++) {
      const session = await signUp(atrium.url, types);
      if (!session) throw new Error('sign-up failed: the benchmark needs signed-in users');
      sessions.push(session);
    }
    await Promise.all(sessions.map((session) => seedJobs(atrium.url, session, types, JOBS_PER_USER)));
    const tokens = sessions.map((session) => session.token);
    const operations = new Map(gateways.map((g) => [g.name, operationFor(g.url, tokens)]));
    await sameAnswers(gateways, tokens[0]!);
    const rounds: Array<Record<Name, GatewayRound>> = [];
    await takeBenchLock();
    const roundsStarted = Date.now();
    for (let r = 0; r < ROUNDS && Date.now() - roundsStarted < BUDGET_MS; r++) {
      const order = r % 2 === 0 ? gateways : [...gateways].reverse();
      const result = {} as Record<Name, GatewayRound>;
      for (const gateway of order)
        result[gateway.name] = await measure(gateway, operations.get(gateway.name)!);
      rounds.push(result);
      process.stdout.write(
        `round ${r + 1}/${ROUNDS}: req/CPU-s atrium ${result.atrium.requestsPerCpuSecond} stock ${result.stock.requestsPerCpuSecond}; ` +
          `p50/p99 atrium ${result.atrium.fixed.p50}/${result.atrium.fixed.p99} stock ${result.stock.fixed.p50}/${result.stock.fixed.p99}\n`,
      );
    }
    const profiles = PROFILE ? await profileGateways(gateways, tokens) : undefined;
    releaseBenchLock();
    const report: CompareReport = {
      date: started.toISOString(),
      durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadavgBefore: loadBefore,
        loadavgAfter: loadavg(),
      },
      setup: {
        operation: DASHBOARD.replace(/\s+/g, ' '),
        users: `${USERS} signed-in users with ${JOBS_PER_USER} finished jobs each; each closed-loop worker is one user, the open loop rotates through them`,
        pinning: `gateways on CPU ${GATEWAY_CPUS} (one at a time), subgraphs and client on CPU ${CLIENT_CPUS}`,
        saturation: `closed loop, ${CONCURRENCY} concurrent requests, ${SATURATION_MS / 1000} s per gateway per round`,
        fixedRate: `open loop at ${RATE} req/s for ${RATE_MS / 1000} s, latency from each request's due time`,
        rounds: `${rounds.length}, interleaved, order flipped every round`,
        atrium:
          'gateway/src/main.ts, embedded mode, LOG_LEVEL=info, limits at defaults, rate limits and admission control running but raised out of the way',
        stock:
          'bench/src/compare/stock-gateway.ts: @apollo/gateway 2.14.4 + @apollo/server standalone; verifies the token (jose, JWKS) and signs the assertion per fetch',
        subgraphs: 'the four real subgraphs in one process, embedded mode (SQLite)',
      },
      rounds,
      profiles,
    };
    const dir = join(ROOT, 'bench', 'results');
    writeFileSync(join(dir, 'compare.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(dir, 'compare.md'), compareMarkdown(report));
    process.stdout.write(compareMarkdown(report));
  } finally {
    releaseBenchLock();
    for (const gateway of gateways) await gateway.service.stop();
    await subgraphs.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

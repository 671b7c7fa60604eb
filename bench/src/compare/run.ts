// Atrium's gateway beside stock @apollo/gateway 2.14.4 (bench/src/compare/stock-gateway.ts): the same supergraph,
// the same four subgraphs (one process, embedded mode), the same signed-in user and read-heavy operation. Rounds
// are interleaved (the order flips every round) in one process tree; both gateways are pinned to CPU 1, the
// subgraphs and this client to CPU 0. Per round and gateway: requests per gateway CPU-second in a closed loop,
// then p50/p95/p99 at a fixed open-loop rate with the gateway's event-loop delay and GC pauses (probe.ts).
// With BENCH_PROFILE=1 a last pass runs each gateway under --cpu-prof and summarises where its CPU goes.
// Writes bench/results/compare.{json,md}.
//
//   pnpm bench:compare            (BENCH_ROUNDS, BENCH_SATURATION_MS, BENCH_RATE, BENCH_RATE_MS override)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { closedLoop, openLoop, postJson, type OpenLoopResult, type Operation } from '../gateway/load';
import { ROOT, startService } from '../gateway/processes';
import {
  ask,
  CLIENT_CPUS,
  dashboardFor,
  GATEWAY_CPUS,
  JOBS_PER_USER,
  numberEnv,
  probe,
  probeArgs,
  signedInUsers,
  startAtrium,
  startSubgraphs,
  subgraphEnv,
  type BenchGateway,
  type SubgraphUrls,
} from './harness';
import { releaseBenchLock, takeBenchLock } from './lock';
import { DASHBOARD } from './operation';
import { summariseProfile, type ProfileSummary } from './profile';
import { compareMarkdown, type CompareReport, type GatewayRound } from './report';
import { runBenchmark } from '../main';

const ROUNDS = numberEnv('BENCH_ROUNDS', 7);
// No new round starts once this budget is spent (BENCH_LOCK is held at most that long).
const BUDGET_MS = numberEnv('BENCH_BUDGET_MS', 9 * 60_000);
const SATURATION_MS = numberEnv('BENCH_SATURATION_MS', 6000);
const WARMUP_MS = numberEnv('BENCH_WARMUP_MS', 4000);
const CONCURRENCY = numberEnv('BENCH_CONCURRENCY', 16);
const RATE = numberEnv('BENCH_RATE', 40);
const RATE_MS = numberEnv('BENCH_RATE_MS', 10_000);
const PROFILE = process.env.BENCH_PROFILE === '1';
// One user per closed-loop worker: each has one request in flight, as a person would, so in-flight dedup
// (which only ever shares within one principal) cannot flatter the numbers.
const USERS = CONCURRENCY;
const PROFILES_DIR = join(ROOT, 'bench', 'results', 'profiles');

type Name = 'atrium' | 'stock';
type Gateway = BenchGateway<Name>;

async function startGateway(name: Name, urls: SubgraphUrls): Promise<Gateway> {
  if (name === 'atrium') {
    const nodeArgs = (process.env.BENCH_ATRIUM_NODE_ARGS ?? '').split(' ').filter(Boolean);
    return startAtrium(name, urls, { nodeArgs });
  }
  const service = await startService(
    'bench/src/compare/stock-gateway.ts',
    subgraphEnv(urls),
    /STOCK (\S+)\n/,
    probeArgs(),
    { cpus: GATEWAY_CPUS, ipc: true },
  );
  return { name, service, url: service.ready[1]! };
}

async function measure(gateway: Gateway, operation: Operation): Promise<GatewayRound> {
  // Each gateway idles while the other is measured (~20 s), and a Node process that has idled is slower for its
  // first seconds back (its heap shrunk, code flushed). With a short warm-up, whichever gateway went first in a
  // round — straight after its own previous phase — came out ~25 % cheaper per request than in the rounds where
  // it went second, for both gateways alike. A full-concurrency warm-up before every phase removes that.
  await closedLoop(operation, CONCURRENCY, WARMUP_MS);
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
    tail: window.tail,
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

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
    const operation = dashboardFor(gateway.url, tokens);
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
  const subgraphs = await startSubgraphs();
  const gateways: Gateway[] = [];
  try {
    gateways.push(await startGateway('atrium', subgraphs.urls), await startGateway('stock', subgraphs.urls));
    const tokens = await signedInUsers(gateways[0]!.url, USERS);
    const operations = new Map(gateways.map((g) => [g.name, dashboardFor(g.url, tokens)]));
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
        saturation: `closed loop, ${CONCURRENCY} concurrent requests, ${SATURATION_MS / 1000} s per gateway per round, each phase after a ${WARMUP_MS / 1000} s warm-up at the same concurrency`,
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
    await subgraphs.service.stop();
  }
}

runBenchmark(main);

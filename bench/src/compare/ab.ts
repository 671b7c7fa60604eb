// A/B of two builds of Atrium's gateway: the tree at BENCH_BASE_ROOT (a checkout of the baseline commit with its
// dependencies installed or linked) against this tree, on the compare bench's read-heavy operation. Both gateways
// run side by side, pinned to the same core (CPU 1), against one set of subgraphs (CPU 0), in interleaved rounds
// whose order flips every round. Each round sends every gateway the same fixed number of requests (closed loop,
// one user per worker) and reads its CPU and GC time from inside the process (probe.ts), so the figure is CPU per
// request rather than a rate the machine's other load would move. Reports min / median / max over the rounds.
// Writes bench/results/<BENCH_AB_OUT or ab>.{json,md}.
//
//   BENCH_BASE_ROOT=/tmp/base BENCH_LOCK=/work/wt/bench.lock pnpm bench:ab
//   (BENCH_ROUNDS, BENCH_REQUESTS, BENCH_WARMUP, BENCH_CONCURRENCY, BENCH_BUDGET_MS, BENCH_PROFILE=1,
//   BENCH_HEAD_ENV='{"K":"v"}')
// A baseline checkout without its own install: `git archive <commit> | tar -x -C /tmp/base`, then symlink each
// node_modules directory of this tree into it (the TypeScript hook resolves @atrium/* to the baseline's sources).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { countedLoop, type Operation } from '../gateway/load';
import { ROOT } from '../gateway/processes';
import {
  ask,
  dashboardFor,
  numberEnv,
  probe,
  signedInUsers,
  startAtrium,
  startSubgraphs,
  type BenchGateway,
} from './harness';
import { releaseBenchLock, takeBenchLock } from './lock';
import { runBenchmark } from '../main';

const ROUNDS = numberEnv('BENCH_ROUNDS', 9);
const REQUESTS = numberEnv('BENCH_REQUESTS', 1500);
// Requests each gateway serves before the first round, outside the lock: without them the first rounds measure
// the JIT compiling the hot path (CPU per request fell by a third over a 7-round run).
const WARMUP = numberEnv('BENCH_WARMUP', 1500);
const CONCURRENCY = numberEnv('BENCH_CONCURRENCY', 16);
const BASE_ROOT = process.env.BENCH_BASE_ROOT;
const LABEL = process.env.BENCH_LABEL ?? 'head vs base';
// The measured rounds stop starting once this budget is spent (the bench lock is held at most that long).
const BUDGET_MS = numberEnv('BENCH_BUDGET_MS', 8 * 60_000);
type Name = 'base' | 'head';
type Gateway = BenchGateway<Name>;
interface Sample {
  cpuMsPerRequest: number;
  gcShare: number;
  gcMaxMs: number;
  seconds: number;
  errors: number;
  loadavg: number;
}

/** One more fixed run per gateway under the V8 profiler: bench/results/profiles/ab-<name>.cpuprofile. */
async function profile(gateway: Gateway, operation: Operation): Promise<void> {
  mkdirSync(join(ROOT, 'bench', 'results', 'profiles'), { recursive: true });
  await ask(gateway, { profile: 'start' }, 'profiled');
  await countedLoop(operation, CONCURRENCY, REQUESTS);
  const path = join(ROOT, 'bench', 'results', 'profiles', `ab-${gateway.name}.cpuprofile`);
  await ask(gateway, { profile: 'stop', path }, 'profiled');
}

async function measure(gateway: Gateway, operation: Operation): Promise<Sample> {
  await countedLoop(operation, CONCURRENCY, 100);
  await probe(gateway);
  const run = await countedLoop(operation, CONCURRENCY, REQUESTS);
  const window = await probe(gateway);

  if (run.firstError)
    process.stdout.write(`${gateway.name}: ${run.errors} errors, first: ${run.firstError.slice(0, 300)}\n`);
  return {
    cpuMsPerRequest: round(window.cpuMs / REQUESTS),
    gcShare: round(window.gc.totalMs / window.cpuMs),
    gcMaxMs: window.gc.maxMs,
    seconds: round(run.seconds),
    errors: run.errors,
    loadavg: loadavg()[0]!,
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const spread = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted[sorted.length - 1]! };
};

async function main(): Promise<void> {
  if (!BASE_ROOT) throw new Error('BENCH_BASE_ROOT: the baseline checkout to compare against');
  const started = new Date();
  const subgraphs = await startSubgraphs();
  const gateways: Gateway[] = [];
  try {
    const headEnv = process.env.BENCH_HEAD_ENV
      ? (JSON.parse(process.env.BENCH_HEAD_ENV) as Record<string, string>)
      : undefined;
    gateways.push(
      await startAtrium('base', subgraphs.urls, { root: BASE_ROOT }),
      await startAtrium('head', subgraphs.urls, { env: headEnv }),
    );
    const tokens = await signedInUsers(gateways[1]!.url, CONCURRENCY);
    const operations = new Map(gateways.map((g) => [g.name, dashboardFor(g.url, tokens)]));
    const rounds: Array<Record<Name, Sample>> = [];
    for (const gateway of gateways) await countedLoop(operations.get(gateway.name)!, CONCURRENCY, WARMUP);
    await takeBenchLock();
    const roundsStarted = Date.now();
    for (let r = 0; r < ROUNDS && Date.now() - roundsStarted < BUDGET_MS; r++) {
      const order = r % 2 === 0 ? gateways : [...gateways].reverse();
      const result = {} as Record<Name, Sample>;
      for (const gateway of order)
        result[gateway.name] = await measure(gateway, operations.get(gateway.name)!);
      rounds.push(result);
      process.stdout.write(
        `round ${r + 1}/${ROUNDS}: CPU ms/request base ${result.base.cpuMsPerRequest} head ${result.head.cpuMsPerRequest}` +
          ` (GC ${result.base.gcShare} / ${result.head.gcShare}, errors ${result.base.errors}/${result.head.errors}, load ${result.head.loadavg})\n`,
      );
    }
    if (process.env.BENCH_PROFILE === '1' && Date.now() - roundsStarted < BUDGET_MS)
      for (const gateway of gateways) await profile(gateway, operations.get(gateway.name)!);
    releaseBenchLock();
    const ratio = spread(rounds.map((r) => r.head.cpuMsPerRequest / r.base.cpuMsPerRequest));
    const report = {
      label: LABEL,
      date: started.toISOString(),
      requestsPerRound: REQUESTS,
      concurrency: CONCURRENCY,
      loadavgAfter: loadavg(),
      cpuMsPerRequest: {
        base: spread(rounds.map((r) => r.base.cpuMsPerRequest)),
        head: spread(rounds.map((r) => r.head.cpuMsPerRequest)),
        headOverBase: ratio,
      },
      gcShare: {
        base: spread(rounds.map((r) => r.base.gcShare)),
        head: spread(rounds.map((r) => r.head.gcShare)),
      },
      rounds,
    };
    const dir = join(ROOT, 'bench', 'results');
    const file = process.env.BENCH_AB_OUT ?? 'ab';
    writeFileSync(join(dir, `${file}.json`), `${JSON.stringify(report, null, 2)}\n`);
    const line = (name: string, s: { min: number; median: number; max: number }) =>
      `| ${name} | ${round(s.min)} / **${round(s.median)}** / ${round(s.max)} |`;
    const md = [
      `# Gateway A/B: ${LABEL}`,
      '',
      `Run ${report.date} with \`pnpm bench:ab\`: ${rounds.length} interleaved rounds of ${REQUESTS} requests each (closed loop, ${CONCURRENCY} users), both gateways pinned to CPU 1. Load average per round in the JSON; after: ${report.loadavgAfter.map((l) => l.toFixed(2)).join(' / ')}.`,
      '',
      '| metric (min / **median** / max) | value |',
      '|---|---:|',
      line('gateway CPU ms per request, base', report.cpuMsPerRequest.base),
      line('gateway CPU ms per request, head', report.cpuMsPerRequest.head),
      line('head ÷ base (each round)', ratio),
      line('GC share of gateway CPU, base', report.gcShare.base),
      line('GC share of gateway CPU, head', report.gcShare.head),
      '',
    ].join('\n');
    writeFileSync(join(dir, `${file}.md`), md);
    process.stdout.write(md);
  } finally {
    releaseBenchLock();
    for (const gateway of gateways) await gateway.service.stop();
    await subgraphs.service.stop();
  }
}

runBenchmark(main);

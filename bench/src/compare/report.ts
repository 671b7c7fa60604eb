import type { OpenLoopResult } from '../gateway/load';
import type { ProbeWindow } from './probe';
import type { ProfileSummary } from './profile';

export interface GatewayRound {
  requestsPerSecond: number;
  requestsPerCpuSecond: number;
  cpuMsPerRequestSaturated: number;
  saturationErrors: number;
  fixed: OpenLoopResult;
  cpuMsPerRequestAtRate: number;
  /** GC pause time over process CPU time at the fixed rate. */
  gcShareAtRate: number;
  loopDelay: ProbeWindow['loopDelay'];
  gc: ProbeWindow['gc'];
  /** Inside the gateway at the fixed rate: its own request durations and what its slowest requests overlapped. */
  tail?: ProbeWindow['tail'];
}

export interface CompareReport {
  date: string;
  durationSeconds: number;
  machine: { cpus: number; model: string; node: string; loadavgBefore: number[]; loadavgAfter: number[] };
  setup: Record<string, string>;
  rounds: Array<Record<'atrium' | 'stock', GatewayRound>>;
  profiles?: Record<'atrium' | 'stock', ProfileSummary>;
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const median =
    sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));
  return `${fmt(sorted[0]!)} / **${fmt(median)}** / ${fmt(sorted[sorted.length - 1]!)}`;
};

type Pick = (round: GatewayRound) => number;
const METRICS: Array<[string, Pick]> = [
  ['requests per gateway CPU-second (closed loop)', (r) => r.requestsPerCpuSecond],
  ['gateway CPU ms per request (closed loop)', (r) => r.cpuMsPerRequestSaturated],
  ['requests per second (closed loop)', (r) => r.requestsPerSecond],
  ['p50 ms at the fixed rate', (r) => r.fixed.p50],
  ['p95 ms at the fixed rate', (r) => r.fixed.p95],
  ['p99 ms at the fixed rate', (r) => r.fixed.p99],
  ['p99 / p50 at the fixed rate', (r) => r.fixed.p99 / r.fixed.p50],
  ['gateway CPU ms per request at the fixed rate', (r) => r.cpuMsPerRequestAtRate],
  ['GC share of gateway CPU at the fixed rate', (r) => r.gcShareAtRate],
  ['longest GC pause ms at the fixed rate', (r) => r.gc.maxMs],
  ['event-loop delay p99 ms at the fixed rate', (r) => r.loopDelay.p99],
  ['event-loop delay max ms at the fixed rate', (r) => r.loopDelay.max],
];

// Absolute only: a stall or GC share of zero in one gateway would make a ratio meaningless.
const TAIL_METRICS: Array<[string, Pick]> = [
  ['gateway-side p50 ms (headers in → response finished)', (r) => r.tail?.server.p50 ?? NaN],
  ['gateway-side p99 ms', (r) => r.tail?.server.p99 ?? NaN],
  ['subgraph call p99 ms (sent → response headers)', (r) => r.tail?.subgraph.p99 ?? NaN],
  ['slowest 2 % inside the gateway: duration ms', (r) => r.tail?.slowest.durationMs ?? NaN],
  ['… of which GC pauses ms', (r) => r.tail?.slowest.gcMs ?? NaN],
  ['… of which event-loop stalls ms (GC included)', (r) => r.tail?.slowest.stallMs ?? NaN],
  ['… longest subgraph call inside ms', (r) => r.tail?.slowest.longestSubgraphMs ?? NaN],
  ['client send lag p99 ms (the load client itself late)', (r) => r.fixed.sendLagP99 ?? NaN],
];

/** The committed, human-readable form of bench/results/compare.json. */
export function compareMarkdown(report: CompareReport): string {
  const { rounds } = report;
  const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' / ');
  /** A metric | Atrium | stock table of absolute values, min / median / max over the rounds. */
  const absoluteTable = (metrics: Array<[string, Pick]>) => [
    '| metric | Atrium | stock |',
    '|---|---:|---:|',
    ...metrics.map(
      ([label, pick]) =>
        `| ${label} | ${stats(rounds.map((r) => pick(r.atrium)))} | ${stats(rounds.map((r) => pick(r.stock)))} |`,
    ),
  ];
  const lines = [
    '# Atrium gateway vs stock @apollo/gateway 2.14.4',
    '',
    `Run ${report.date} in ${report.durationSeconds} s with \`pnpm bench:compare\`. Machine: ${report.machine.cpus} × ` +
      `${report.machine.model}, Node ${report.machine.node}; load average (1/5/15 min) ${load(report.machine.loadavgBefore)} ` +
      `before, ${load(report.machine.loadavgAfter)} after — the machine is shared, so absolute numbers are noisy; ` +
      'the ratios within a round are what to read.',
    '',
    ...Object.entries(report.setup).map(([key, value]) => `- ${key}: ${value}`),
    '',
    '## Ratios, Atrium / stock (min / **median** / max over the rounds, each ratio within one round)',
    '',
    '| metric | Atrium ÷ stock |',
    '|---|---:|',
    ...METRICS.map(
      ([label, pick]) => `| ${label} | ${stats(rounds.map((r) => pick(r.atrium) / pick(r.stock)))} |`,
    ),
    '',
    '## Absolute values (min / **median** / max)',
    '',
    ...absoluteTable(METRICS),
    '',
    '## Where the tail is at the fixed rate (absolute, min / **median** / max; probe.ts and tail.ts inside each gateway)',
    '',
    ...absoluteTable(TAIL_METRICS),
    '',
    '## Rounds',
    '',
    '| round | gateway | req/CPU-s | req/s | p50 | p95 | p99 | max | GC share | loop delay p99 | errors |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  rounds.forEach((round, i) => {
    for (const name of ['atrium', 'stock'] as const) {
      const r = round[name];
      lines.push(
        `| ${i + 1} | ${name} | ${r.requestsPerCpuSecond} | ${r.requestsPerSecond} | ${r.fixed.p50} | ${r.fixed.p95} | ` +
          `${r.fixed.p99} | ${r.fixed.max} | ${(r.gcShareAtRate * 100).toFixed(1)} % | ${r.loopDelay.p99} | ` +
          `${r.saturationErrors + r.fixed.errors} |`,
      );
    }
  });
  if (report.profiles) {
    lines.push(
      '',
      '## Where the CPU goes (self time; V8 profiler over one more closed-loop phase of the warm gateways; profiles in bench/results/profiles/)',
      '',
      '| Atrium | share | stock | share |',
      '|---|---:|---|---:|',
    );
    const { atrium, stock } = report.profiles;
    for (let i = 0; i < Math.max(atrium.shares.length, stock.shares.length); i++) {
      const a = atrium.shares[i];
      const s = stock.shares[i];
      lines.push(
        `| ${a?.where ?? ''} | ${a ? `${(a.share * 100).toFixed(1)} %` : ''} | ${s?.where ?? ''} | ${s ? `${(s.share * 100).toFixed(1)} %` : ''} |`,
      );
    }
  }
  lines.push('');
  return lines.join('\n');
}

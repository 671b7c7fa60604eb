import type { OpenLoopResult } from './load';
import type { OperationResult } from './run';

interface Report {
  date: string;
  durationSeconds: number;
  command: string;
  machine: {
    cpus: number;
    model: string;
    node: string;
    loadavgBefore: number[];
    loadavgAfter: number[];
    busiestProcessesBefore: string[];
    note: string;
  };
  setup: Record<string, string>;
  operations: OperationResult[];
  openBreaker: OpenLoopResult & { operation: string };
}

const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' / ');
const row = (label: string, r: OpenLoopResult) =>
  `| ${label} | ${r.rate} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.max} | ${r.errors}/${r.sent} |`;

/** The committed, human-readable form of bench/results/gateway.json. */
export function markdownReport(report: Report): string {
  const lines = [
    '# Gateway benchmark',
    '',
    `Run ${report.date} in ${report.durationSeconds} s with \`${report.command}\`.`,
    '',
    `Machine: ${report.machine.cpus} × ${report.machine.model}, Node ${report.machine.node}; load average ` +
      `(1/5/15 min) ${load(report.machine.loadavgBefore)} before, ${load(report.machine.loadavgAfter)} after ` +
      `(${report.machine.note}).`,
    '',
    ...Object.entries(report.setup).map(([key, value]) => `- ${key}: ${value}`),
    '',
    '## Throughput at saturation',
    '',
    '| operation | req/s | req per gateway CPU-second | gateway CPU ms/req | subgraphs CPU ms/req | failed |',
    '|---|---:|---:|---:|---:|---:|',
    ...report.operations.map(
      ({ name, saturation: s }) =>
        `| ${name} | ${s.requestsPerSecond} | ${s.requestsPerGatewayCpuSecond} | ${s.gatewayCpuMsPerRequest} | ` +
        `${s.subgraphsCpuMsPerRequest} | ${s.failed} |`,
    ),
    '',
    '## Latency at fixed rates (ms)',
    '',
    '| operation · path | req/s | p50 | p95 | p99 | max | errors |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const operation of report.operations) {
    for (const r of operation.gateway) lines.push(row(`${operation.name} · gateway`, r));
    for (const r of operation.direct ?? []) lines.push(row(`${operation.name} · straight to subgraphs`, r));
  }
  lines.push(
    row(`open breaker · gateway (${report.openBreaker.operation})`, report.openBreaker),
    '',
    '## Notes',
    '',
    ...report.operations.flatMap((operation) =>
      operation.notes.map((note) => `- ${operation.name}: ${note}`),
    ),
    `- busiest processes before the run: ${report.machine.busiestProcessesBefore.join('; ') || 'n/a'}`,
    '',
  );
  return lines.join('\n');
}

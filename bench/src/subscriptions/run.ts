// `pnpm bench:subscriptions`: Atrium's gateway engine against plain graphql-ws serving the same events from one
// process, in one run on this machine. Two shapes — (a) fan-out: N subscribers of one user watching one
// channel; (b) per-job: N users each watching their own channel — for N = 1k, 5k, 10k (BENCH_SIZES overrides).
// Reports deliveries per server CPU-second (the gateway's alone; the ticker subgraph behind it is not counted),
// p50/p95/p99 latency from publish to the client's `next`, and RSS per subscriber; writes bench/results/.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ROOT, startService, type Service } from '../gateway/processes';

const ENTRY = 'bench/src/subscriptions/server.ts';
const EVENTS = 20;
const QUERY = 'subscription($c: String!) { ticks(channel: $c) { channel n at } }';

interface Row {
  server: 'plain graphql-ws' | 'atrium gateway';
  shape: 'fan-out' | 'per-job';
  subscribers: number;
  deliveries: number;
  deliveriesPerCpuSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  rssPerSubscriberKb: number;
}

function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(
  server: Row['server'],
  shape: Row['shape'],
  n: number,
  target: Service,
  url: string,
  publishUrl: string,
): Promise<Row> {
  const channelOf = (i: number) => (shape === 'fan-out' ? 'job' : `job-${i}`);
  const userOf = (i: number) => (shape === 'fan-out' ? 'fan' : `u${i}`);
  const latencies: number[] = [];
  let received = 0;
  let snapshots = 0;
  let connected = 0;
  const clients: Client[] = [];
  const rssBefore = rssKb(target.child.pid!);
  for (let i = 0; i < n; i++) {
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 5,
      keepAlive: 0,
      onNonLazyError: () => undefined,
      on: { connected: () => void connected++ },
      connectionParams: { authorization: `Bearer user:${userOf(i)}` },
    });
    clients.push(client);
    let first = true;
    client.subscribe<{ ticks: { at: number } }>(
      { query: QUERY, variables: { c: channelOf(i) } },
      {
        next: (result) => {
          if (first) {
            first = false;
            snapshots++;
            return;
          }
          received++;
          latencies.push(performance.timeOrigin + performance.now() - result.data!.ticks.at);
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    // Connect in batches, so the listen backlog never overflows.
    if (i % 100 === 99) while (connected < i + 1) await sleep(5);
  }
  const ready = Date.now() + 120_000;
  while (snapshots < n) {
    if (Date.now() > ready)
      throw new Error(`${server} ${shape} ${n}: only ${snapshots} subscriptions started`);
    await sleep(50);
  }
  const rssAfter = rssKb(target.child.pid!);
  const channels = shape === 'fan-out' ? ['job'] : Array.from({ length: n }, (_, i) => channelOf(i));
  const expected = n * EVENTS;
  const cpuBefore = target.cpuSeconds();
  // Events in rounds, so latency reflects a steady stream rather than one burst.
  for (let round = 0; round < EVENTS; round++) {
    for (let offset = 0; offset < channels.length; offset += 500) {
      const batch = channels.slice(offset, offset + 500).join(',');
      await fetch(`${publishUrl}?channels=${batch}&count=1&from=${round + 1}`, { method: 'POST' });
    }
    await sleep(50);
  }
  const deadline = Date.now() + 120_000;
  while (received < expected && Date.now() < deadline) await sleep(50);
  const cpu = target.cpuSeconds() - cpuBefore;
  await Promise.all(clients.map((client) => client.dispose()));
  latencies.sort((a, b) => a - b);
  return {
    server,
    shape,
    subscribers: n,
    deliveries: received,
    deliveriesPerCpuSecond: Math.round(received / Math.max(cpu, 0.01)),
    p50Ms: round1(percentile(latencies, 50)),
    p95Ms: round1(percentile(latencies, 95)),
    p99Ms: round1(percentile(latencies, 99)),
    rssPerSubscriberKb: round1(Math.max(0, rssAfter - rssBefore) / n),
  };
}

const round1 = (value: number) => Math.round(value * 10) / 10;

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_SIZES ?? '1000,5000,10000').split(',').map(Number);
  const rows: Row[] = [];
  for (const n of sizes) {
    for (const shape of ['fan-out', 'per-job'] as const) {
      const plain = await startService(ENTRY, { BENCH_ROLE: 'plain' }, /READY (\S+)/);
      const plainUrl = plain.ready[1]!;
      rows.push(
        await measure(
          'plain graphql-ws',
          shape,
          n,
          plain,
          plainUrl,
          plainUrl.replace('/graphql', '/publish'),
        ),
      );
      await plain.stop();

      const ticker = await startService(ENTRY, { BENCH_ROLE: 'ticker' }, /READY (\S+)/);
      const tickerUrl = ticker.ready[1]!;
      const gateway = await startService(
        ENTRY,
        { BENCH_ROLE: 'gateway', TICKER_URL: tickerUrl },
        /READY (\S+)/,
      );
      rows.push(
        await measure(
          'atrium gateway',
          shape,
          n,
          gateway,
          gateway.ready[1]!,
          tickerUrl.replace('/graphql', '/publish'),
        ),
      );
      await gateway.stop();
      await ticker.stop();
      console.log(JSON.stringify(rows.slice(-2)));
    }
  }
  const lines = [
    '# Subscriptions: Atrium gateway vs plain graphql-ws',
    '',
    `One run on this machine (2 shared cores; clients, gateway and subgraph on it), ${EVENTS} events per channel.`,
    'Deliveries per CPU-second count the serving process only (the gateway; the ticker subgraph behind it is not',
    "counted). Latency: publish → the client's `next`. RSS per subscriber: the server's RSS growth / N.",
    '',
    '| shape | N | server | deliveries | per CPU-s | ratio | p50 ms | p95 ms | p99 ms | RSS/sub KB |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const baseline = rows.find(
      (r) => r.server === 'plain graphql-ws' && r.shape === row.shape && r.subscribers === row.subscribers,
    );
    const ratio = baseline ? (row.deliveriesPerCpuSecond / baseline.deliveriesPerCpuSecond).toFixed(2) : '';
    lines.push(
      `| ${row.shape} | ${row.subscribers} | ${row.server} | ${row.deliveries} | ${row.deliveriesPerCpuSecond} | ${ratio} | ${row.p50Ms} | ${row.p95Ms} | ${row.p99Ms} | ${row.rssPerSubscriberKb} |`,
    );
  }
  writeFileSync(join(ROOT, 'bench/results/subscriptions.json'), JSON.stringify(rows, null, 2) + '\n');
  writeFileSync(join(ROOT, 'bench/results/subscriptions.md'), lines.join('\n') + '\n');
  console.log(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

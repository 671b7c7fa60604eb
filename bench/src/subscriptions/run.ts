// `pnpm bench:subscriptions`: Atrium's gateway engine against plain graphql-ws serving the same events from one
// process, on this machine. Two shapes — (a) fan-out: N subscribers of one user watching one channel; (b)
// per-job: N users each watching their own channel — for N = 1k, 5k, 10k (BENCH_SIZES overrides).
// The subscriber sockets are spread over BENCH_CLIENT_PROCESSES client processes (clients.ts), each a minimal
// graphql-transport-ws client over raw `ws`, the same for both servers: with the full graphql-ws client the
// clients' CPU per delivery was as large as the server's and the fan-out tail was partly the clients' own queue
// (see clients.ts; the e2e tests use the real graphql-ws client). BENCH_TRACE_WRITES=1 prints, per event, when
// the server wrote its first and last frame after the publish, and client and server CPU per delivery, so one
// can tell whose time a latency is. Every channel gets one event
// per BENCH_INTERVAL_MS (per-job: the channels' events spread evenly over the interval), BENCH_EVENTS times,
// after BENCH_WARMUP_EVENTS (1) events that are not measured.
// Reports deliveries per serving-process CPU-second (the gateway's alone; the ticker subgraph behind it is not
// counted), p50/p95/p99 latency from publish to the client's `next`, RSS per subscriber after a full GC, and
// the load average; rows of the sizes run replace those in bench/results/subscriptions.{json,md}.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, startService, type Service } from '../gateway/processes';
import type { ClientCommand, ClientReport } from './clients';
import { runBenchmark } from '../main';

const ENTRY = 'bench/src/subscriptions/server.ts';
const QUERY = 'subscription($c: String!) { ticks(channel: $c) { channel n at } }';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 1000);
/** Per-job events per second over all channels at most (the interval stretches with N beyond it). */
const PER_JOB_RATE = Number(process.env.BENCH_PER_JOB_RATE ?? 2000);
/** The serving process runs on these CPUs, the clients and the ticker on the others ('' = no pinning). */
const SERVER_CPUS = process.env.BENCH_SERVER_CPUS ?? '0';
const CLIENT_CPUS = process.env.BENCH_CLIENT_CPUS ?? '1';
const CLIENT_PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? 4);
const PUBLISH_BATCH = 250;
/**
 * Events every channel gets after all subscriptions started and before the measured ones (not measured). The
 * first event after the setup and the harness's forced full GC (for the RSS reading) was consistently the
 * slowest for both servers (heap regrowth, first use of the delivery path), a state a server with traffic is
 * not in.
 */
const WARMUP_EVENTS = Number(process.env.BENCH_WARMUP_EVENTS ?? 1);
const RESULTS = join(ROOT, 'bench/results/subscriptions');

type ServerName = 'plain graphql-ws' | 'atrium gateway';
type Shape = 'fan-out' | 'per-job';

interface Row {
  server: ServerName;
  shape: Shape;
  subscribers: number;
  deliveries: number;
  expected: number;
  deliveriesPerCpuSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  rssPerSubscriberKb: number;
  heapPerSubscriberKb: number;
  loadAverage: number;
  measuredAt: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round1 = (value: number) => Math.round(value * 10) / 10;

function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Full GC in the server (started with --expose-gc), so memory counts what subscriptions retain, not garbage.
 * Returns the server's RSS and its V8 heap + external bytes in use (KB) after it.
 */
async function collectGarbage(service: Service): Promise<{ rssKb: number; heapKb: number }> {
  const usage = await new Promise<NodeJS.MemoryUsage>((resolve) => {
    const onMessage = (message: unknown) => {
      const done = (message as { gcDone?: NodeJS.MemoryUsage } | null)?.gcDone;
      if (!done) return;
      service.child.off('message', onMessage);
      resolve(done);
    };
    service.child.on('message', onMessage);
    service.child.send('gc');
  });
  await sleep(200);
  return { rssKb: rssKb(service.child.pid!), heapKb: (usage.heapUsed + usage.external) / 1024 };
}

/** Sends `command` to a server process and waits for `reply`. */
function ask(service: Service, command: string, reply: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const onMessage = (message: unknown) => {
      if (message !== reply) return;
      service.child.off('message', onMessage);
      resolve();
    };
    service.child.on('message', onMessage);
    service.child.send(command);
  });
}

/** The server's write bursts since the last call (BENCH_TRACE_WRITES=1, server.ts). */
function bursts(service: Service): Promise<{ first: number; last: number; frames: number }[]> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      const found = (message as { bursts?: { first: number; last: number; frames: number }[] } | null)
        ?.bursts;
      if (!found) return;
      service.child.off('message', onMessage);
      resolve(found);
    };
    service.child.on('message', onMessage);
    service.child.send('bursts');
  });
}

const fileName = (name: string) => name.replace(/ /g, '_');

/** With BENCH_HEAP_SNAPSHOTS=<dir>, a heap snapshot of the server into it (bench/results/subscriptions-heap.md). */
async function heapSnapshot(service: Service, name: string): Promise<void> {
  const dir = process.env.BENCH_HEAP_SNAPSHOTS;
  if (dir) await ask(service, `snapshot:${join(dir, fileName(name))}.heapsnapshot`, 'snapshot-done');
}

/** With BENCH_CPU_PROFILES=<dir>, the server's CPU profile of the delivery phase only. */
async function cpuProfile(service: Service, name: string, phase: 'start' | 'stop'): Promise<void> {
  const dir = process.env.BENCH_CPU_PROFILES;
  if (!dir) return;
  if (phase === 'start') await ask(service, 'profile-start', 'profile-started');
  else await ask(service, `profile-stop:${join(dir, fileName(name))}.cpuprofile`, 'profile-stopped');
}

/** The client processes, each with its share of the sockets. */
class ClientFleet {
  private readonly children: ChildProcess[] = [];
  private readonly reports = new Map<ChildProcess, ClientReport[]>();

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const child = fork(join(__dirname, 'clients.ts'), [], {
        execArgv: ['-r', join(ROOT, 'scripts/ts-register.js')],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      if (CLIENT_CPUS) execFileSync('taskset', ['-pc', CLIENT_CPUS, String(child.pid)], { stdio: 'ignore' });
      this.reports.set(child, []);
      child.on('message', (report: ClientReport) => {
        if (report.type === 'failed') throw new Error(`client process failed: ${report.message}`);
        this.reports.get(child)!.push(report);
      });
      this.children.push(child);
    }
  }

  /** Opens every subscription (round-robin over the processes) and waits until each got its snapshot. */
  async open(url: string, subscribers: { channel: string; user: string }[], label: string): Promise<void> {
    this.children.forEach((child, index) => {
      const share = subscribers.filter((_, i) => i % this.children.length === index);
      this.send(child, { type: 'open', url, query: QUERY, subscribers: share });
    });
    const deadline = Date.now() + 180_000;
    while (!this.children.every((child) => this.reports.get(child)!.some((r) => r.type === 'opened'))) {
      if (Date.now() > deadline) throw new Error(`${label}: not every subscription started`);
      await sleep(100);
    }
  }

  /** Every process's current count of deliveries (after snapshots). */
  async received(): Promise<{ values: number[]; errors: number; cpuSeconds: number }> {
    const all = await Promise.all(
      this.children.map((child) => {
        const reports = this.reports.get(child)!;
        const before = reports.length;
        this.send(child, { type: 'collect' });
        return (async () => {
          for (;;) {
            const found = reports.slice(before).find((r) => r.type === 'latencies');
            if (found && found.type === 'latencies') return found;
            await sleep(20);
          }
        })();
      }),
    );
    return {
      values: all.flatMap((r) => r.values),
      errors: all.reduce((sum, r) => sum + r.errors, 0),
      cpuSeconds: all.reduce((sum, r) => sum + r.cpuSeconds, 0),
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map((child) => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        this.send(child, { type: 'close' });
        return exited;
      }),
    );
  }

  private send(child: ChildProcess, command: ClientCommand): void {
    child.send(command);
  }
}

async function measure(
  server: ServerName,
  shape: Shape,
  n: number,
  target: Service,
  url: string,
  publishUrl: string,
): Promise<Row> {
  const label = `${server} ${shape} ${n}`;
  const subscribers = Array.from({ length: n }, (_, i) =>
    shape === 'fan-out' ? { channel: 'job', user: 'fan' } : { channel: `job-${i}`, user: `u${i}` },
  );
  const channels = shape === 'fan-out' ? ['job'] : subscribers.map((s) => s.channel);
  const before = await collectGarbage(target);
  await heapSnapshot(target, `${server}-${shape}-${n}-before`);
  const fleet = new ClientFleet(CLIENT_PROCESSES);
  await fleet.open(url.replace(/^http/, 'ws'), subscribers, label);
  const after = await collectGarbage(target);
  await heapSnapshot(target, `${server}-${shape}-${n}-after`);
  const expected = n * EVENTS;
  const batches: string[] = [];
  for (let offset = 0; offset < channels.length; offset += PUBLISH_BATCH) {
    batches.push(channels.slice(offset, offset + PUBLISH_BATCH).join(','));
  }
  await warmUp(fleet, publishUrl, batches, n, label);
  await cpuProfile(target, label, 'start');
  const loadBefore = loadavg()[0]!;
  const clientCpuBefore = (await fleet.received()).cpuSeconds;
  await bursts(target);
  const published: number[] = [];
  const cpuBefore = target.cpuSeconds();
  // One event per channel per interval; a round's batches spread evenly over the interval.
  const interval = shape === 'fan-out' ? INTERVAL_MS : Math.max(INTERVAL_MS, (n / PER_JOB_RATE) * 1000);
  const start = performance.now();
  for (let round = 0; round < EVENTS; round++) {
    for (let b = 0; b < batches.length; b++) {
      const due = start + round * interval + (b * interval) / batches.length;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      published.push(performance.timeOrigin + performance.now());
      await fetch(`${publishUrl}?channels=${batches[b]}&count=1&from=${round + 1}`, { method: 'POST' });
    }
  }
  const latencies: number[] = [];
  let errors = 0;
  let clientCpu = 0;
  const deadline = Date.now() + 120_000;
  while (latencies.length < expected && Date.now() < deadline) {
    await sleep(250);
    const batch = await fleet.received();
    latencies.push(...batch.values);
    errors += batch.errors;
    clientCpu = batch.cpuSeconds - clientCpuBefore;
  }
  const cpu = target.cpuSeconds() - cpuBefore;
  if (process.env.BENCH_TRACE_WRITES === '1') {
    const written = await bursts(target);
    // Each burst belongs to the last event published before it began.
    const perRound = written.map((burst) => {
      const at = published.filter((time) => time <= burst.first).pop() ?? NaN;
      return `+${Math.round(burst.first - at)}..+${Math.round(burst.last - at)} ms (${burst.frames})`;
    });
    const shown = perRound.length > 10 ? [...perRound.slice(0, 10), `… ${perRound.length} bursts`] : perRound;
    console.log(
      `${label}: server writes after publish per burst: ${shown.join(', ')}; ` +
        `client CPU ${((clientCpu / Math.max(latencies.length, 1)) * 1e6).toFixed(1)} µs/delivery ` +
        `(${clientCpu.toFixed(2)} s), server CPU ${((cpu / Math.max(latencies.length, 1)) * 1e6).toFixed(1)} µs/delivery`,
    );
  }
  const loadAverage = Math.max(loadBefore, loadavg()[0]!);
  await cpuProfile(target, label, 'stop');
  await fleet.close();
  if (errors > 0) console.warn(`${label}: ${errors} deliveries without data`);
  const sorted = Float64Array.from(latencies).sort();
  const row: Row = {
    server,
    shape,
    subscribers: n,
    deliveries: latencies.length,
    expected,
    deliveriesPerCpuSecond: Math.round(latencies.length / Math.max(cpu, 0.01)),
    p50Ms: round1(percentile(sorted, 50)),
    p95Ms: round1(percentile(sorted, 95)),
    p99Ms: round1(percentile(sorted, 99)),
    maxMs: round1(sorted[sorted.length - 1] ?? 0),
    rssPerSubscriberKb: round1(Math.max(0, after.rssKb - before.rssKb) / n),
    heapPerSubscriberKb: round1(Math.max(0, after.heapKb - before.heapKb) / n),
    loadAverage: round1(loadAverage),
    measuredAt: new Date().toISOString(),
  };
  console.log(JSON.stringify(row));
  return row;
}

const trace = { BENCH_TRACE_WRITES: process.env.BENCH_TRACE_WRITES ?? '0' };

/** WARMUP_EVENTS events to every channel, waited for and discarded. */
async function warmUp(
  fleet: ClientFleet,
  publishUrl: string,
  batches: string[],
  n: number,
  label: string,
): Promise<void> {
  for (let round = 0; round < WARMUP_EVENTS; round++) {
    for (const batch of batches) {
      await fetch(`${publishUrl}?channels=${batch}&count=1&from=0`, { method: 'POST' });
    }
  }
  let received = 0;
  const deadline = Date.now() + 120_000;
  while (received < n * WARMUP_EVENTS) {
    if (Date.now() > deadline) throw new Error(`${label}: the warm-up events did not all arrive`);
    await sleep(100);
    received += (await fleet.received()).values.length;
  }
}

async function withServers(shape: Shape, n: number, servers: ServerName[]): Promise<Row[]> {
  const rows: Row[] = [];
  const options = { ipc: true, ...(SERVER_CPUS ? { cpus: SERVER_CPUS } : {}) };
  const others = CLIENT_CPUS ? { cpus: CLIENT_CPUS } : {};
  if (servers.includes('plain graphql-ws')) {
    const plain = await startService(
      ENTRY,
      { BENCH_ROLE: 'plain', ...trace },
      /READY (\S+)/,
      ['--expose-gc'],
      options,
    );
    const plainUrl = plain.ready[1]!;
    try {
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
    } finally {
      await plain.stop();
    }
  }
  if (servers.includes('atrium gateway')) {
    const ticker = await startService(
      ENTRY,
      { BENCH_ROLE: 'ticker' },
      /READY (\S+)/,
      nodeArgs('TICKER'),
      others,
    );
    const tickerUrl = ticker.ready[1]!;
    const gateway = await startService(
      ENTRY,
      { BENCH_ROLE: 'gateway', TICKER_URL: tickerUrl, ...trace },
      /READY (\S+)/,
      ['--expose-gc', ...nodeArgs('GATEWAY')],
      options,
    );
    try {
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
    } finally {
      await gateway.stop();
      await ticker.stop();
    }
  }
  return rows;
}

/** Extra node options for a process from BENCH_<ROLE>_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`). */
function nodeArgs(role: 'GATEWAY' | 'TICKER'): string[] {
  return (process.env[`BENCH_${role}_NODE_ARGS`] ?? '').split(' ').filter(Boolean);
}

function openFiles(): number {
  const match = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match?.[1] === 'unlimited' ? Infinity : Number(match?.[1] ?? 1024);
}

function writeResults(fresh: Row[]): void {
  const previous: Row[] = existsSync(`${RESULTS}.json`)
    ? (JSON.parse(readFileSync(`${RESULTS}.json`, 'utf8')) as Row[]).filter((row) => 'loadAverage' in row)
    : [];
  const same = (a: Row, b: Row) =>
    a.server === b.server && a.shape === b.shape && a.subscribers === b.subscribers;
  const rows = [...previous.filter((old) => !fresh.some((row) => same(row, old))), ...fresh].sort(
    (a, b) =>
      a.subscribers - b.subscribers || a.shape.localeCompare(b.shape) || b.server.localeCompare(a.server),
  );
  const lines = [
    '# Subscriptions: Atrium gateway vs plain graphql-ws',
    '',
    `\`pnpm bench:subscriptions\` on this machine (2 cores shared with other work; ${CLIENT_PROCESSES} client processes,`,
    `the serving process pinned to CPU ${SERVER_CPUS || 'any'}, the clients and the ticker subgraph to CPU ${CLIENT_CPUS || 'any'}).`,
    `Fan-out: one event per ${INTERVAL_MS} ms to all N subscribers, ${EVENTS} times, after ${WARMUP_EVENTS} warm-up event(s) not measured. Per-job: every channel gets ${EVENTS}`,
    `events, one per max(${INTERVAL_MS} ms, N / ${PER_JOB_RATE} s) (at most ${PER_JOB_RATE} events/s in all), spread evenly. Deliveries per CPU-second`,
    'count the serving process only (the gateway; the ticker subgraph behind it is not counted); ratio = gateway /',
    "plain at the same shape and N. Latency: publish → the client's `next`. RSS per subscriber: the server's RSS",
    'growth / N, both taken after a full GC; heap/sub: the same for V8 heap + external memory in use (RSS can hide',
    "growth in heap space freed earlier). Load: the 1-minute load average during the row; the benchmark's own",
    'processes (server, ticker, 4 clients) keep it near 2-4 on an otherwise idle machine, more means other work',
    'was running. Memory: bench/results/subscriptions-heap.md.',
    'Clients: a minimal graphql-transport-ws client over raw `ws` (bench/src/subscriptions/clients.ts), the same',
    'for both servers; the full graphql-ws client cost as much CPU per delivery as the server under test, so at',
    "10k fan-out the measured tail was partly the clients' (the e2e tests use the real graphql-ws client).",
    '',
    '| shape | N | server | deliveries | per CPU-s | ratio | p50 ms | p95 ms | p99 ms | max ms | RSS/sub KB | heap/sub KB | load |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const baseline = rows.find(
      (r) => r.server === 'plain graphql-ws' && same({ ...r, server: row.server }, row),
    );
    const ratio = baseline ? (row.deliveriesPerCpuSecond / baseline.deliveriesPerCpuSecond).toFixed(2) : '';
    const deliveries =
      row.deliveries === row.expected ? `${row.deliveries}` : `${row.deliveries}/${row.expected}`;
    lines.push(
      `| ${row.shape} | ${row.subscribers} | ${row.server} | ${deliveries} | ${row.deliveriesPerCpuSecond} | ${ratio} | ${row.p50Ms} | ${row.p95Ms} | ${row.p99Ms} | ${row.maxMs} | ${row.rssPerSubscriberKb} | ${row.heapPerSubscriberKb} | ${row.loadAverage} |`,
    );
  }
  writeFileSync(`${RESULTS}.json`, JSON.stringify(rows, null, 2) + '\n');
  writeFileSync(`${RESULTS}.md`, lines.join('\n') + '\n');
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_SIZES ?? '1000,5000,10000').split(',').map(Number);
  const shapes = (process.env.BENCH_SHAPES ?? 'fan-out,per-job').split(',') as Shape[];
  const servers = (process.env.BENCH_SERVERS ?? 'plain graphql-ws,atrium gateway').split(',') as ServerName[];
  const needed = Math.max(...sizes) + 200;
  if (openFiles() < needed) {
    throw new Error(
      `the open-files limit is ${openFiles()}; raise it to ${needed} (ulimit -n) for N = ${Math.max(...sizes)}`,
    );
  }
  const rows: Row[] = [];
  for (const n of sizes) for (const shape of shapes) rows.push(...(await withServers(shape, n, servers)));
  if (process.env.BENCH_WRITE !== '0') writeResults(rows);
}

runBenchmark(main);

// The gateway's heap under distinct maximal documents (issue 10, family 1): the real gateway (createGatewayServer,
// default limits and cache sizes) in this process, in front of two tiny real subgraphs, fed DOCUMENTS distinct
// documents of exactly MAX_DOCUMENT_BYTES (a comment pads each one, since comments cost no tokens), half of them
// registered as APQ. The heap is read after two full GCs before, right after, and once more after the caches
// had a minute of quiet (nothing expires by time, so it must already be flat). Writes
// bench/results/gateway-memory.{json,md}. About one to three minutes.
//
//   pnpm bench:gateway-memory    (node -r ./scripts/ts-register.js bench/src/gateway/memory.ts)
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startGeneration, startIdentity } from '../../../test/e2e/gateway-graph';
import { composeSupergraph, startGateway } from '../../../test/e2e/gateway-harness';
import { ROOT } from './processes';
import { runBenchmark } from '../main';

const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 5000);
const MAX_DOCUMENT_BYTES = 32 * 1024;
const CONCURRENCY = 4;
const QUIET_MS = Number(process.env.BENCH_QUIET_MS ?? 60_000);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMiB = () => {
  gc();
  gc();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A document of exactly `bytes` bytes, distinct per `i`: a comment pads the operation. */
function maximal(i: number): string {
  const operation = `{ me { id } d${i}: __typename }`;
  return `#${'x'.repeat(MAX_DOCUMENT_BYTES - operation.length - 2)}\n${operation}`;
}

async function post(url: string, i: number): Promise<number> {
  const query = maximal(i);
  const body =
    i % 2 === 0
      ? { query }
      : { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } };
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

async function main(): Promise<void> {
  const started = new Date();
  const loadavgBefore = loadavg();
  const identity = await startIdentity();
  const generation = await startGeneration();
  const gateway = await startGateway({
    supergraphSdl: composeSupergraph([identity, generation]),
    urls: { identity: identity.url, generation: generation.url },
    // The rate limiter would refuse a single client sending thousands of requests a minute.
    env: { RATE_LIMIT_IP_PER_MINUTE: '0' },
  });
  try {
    // Warm-up: what the first requests allocate once (plans, metrics, sockets) is not growth.
    for (let i = 0; i < 40; i++) await post(gateway.url, -1 - i);
    const before = heapMiB();
    const statuses = new Map<number, number>();
    for (let i = 0; i < DOCUMENTS; i += CONCURRENCY) {
      const batch = Array.from({ length: Math.min(CONCURRENCY, DOCUMENTS - i) }, (_x, k) =>
        post(gateway.url, i + k),
      );
      for (const status of await Promise.all(batch)) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const after = heapMiB();
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    const quiet = heapMiB();
    const report = {
      date: started.toISOString(),
      command: 'pnpm bench:gateway-memory',
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadavgBefore,
        loadavgAfter: loadavg(),
      },
      setup: {
        gateway: 'createGatewayServer in this process, default limits and cache sizes, IP rate limit off',
        documents: DOCUMENTS,
        documentBytes: MAX_DOCUMENT_BYTES,
        apq: 'every odd document is sent with a persistedQuery extension (registered in the APQ cache)',
        concurrency: CONCURRENCY,
        sourceTextSentMiB: Math.round((DOCUMENTS * MAX_DOCUMENT_BYTES) / 1024 / 1024),
      },
      statuses: Object.fromEntries(statuses),
      heapAfterGcMiB: { before, afterDocuments: after, afterQuiet: quiet, quietMs: QUIET_MS },
      grownMiB: Math.round((after - before) * 10) / 10,
    };
    const resultsDir = join(ROOT, 'bench', 'results');
    writeFileSync(join(resultsDir, 'gateway-memory.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(resultsDir, 'gateway-memory.md'), markdown(report));
    process.stdout.write(markdown(report));
  } finally {
    await gateway.stop();
    await identity.server.stop();
    await generation.server.stop();
  }
}

function markdown(report: {
  date: string;
  machine: { loadavgBefore: number[]; loadavgAfter: number[]; node: string; cpus: number };
  setup: { documents: number; documentBytes: number; sourceTextSentMiB: number };
  statuses: Record<string, number>;
  heapAfterGcMiB: { before: number; afterDocuments: number; afterQuiet: number; quietMs: number };
  grownMiB: number;
}): string {
  const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' ');
  const { heapAfterGcMiB: heap } = report;
  return [
    '# Gateway heap under distinct maximal documents',
    '',
    `${report.date}, Node ${report.machine.node}, ${report.machine.cpus} CPUs, load ${load(report.machine.loadavgBefore)} → ${load(report.machine.loadavgAfter)}.`,
    `Command: \`pnpm bench:gateway-memory\` (bench/src/gateway/memory.ts).`,
    '',
    `${report.setup.documents} distinct documents of ${report.setup.documentBytes} bytes (${report.setup.sourceTextSentMiB} MiB of source text), half as APQ, default cache sizes.`,
    `Answers: ${Object.entries(report.statuses)
      .map(([status, count]) => `${count} × ${status}`)
      .join(', ')}.`,
    '',
    '| heap after GC | MiB |',
    '| --- | --- |',
    `| before | ${heap.before} |`,
    `| after the documents | ${heap.afterDocuments} |`,
    `| after ${heap.quietMs / 1000} s quiet | ${heap.afterQuiet} |`,
    '',
    `Growth: ${report.grownMiB} MiB (the document and APQ caches are bounded by the bytes they retain).`,
    '',
  ].join('\n');
}

runBenchmark(main);

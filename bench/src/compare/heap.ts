// Allocation profile of Atrium's gateway on the compare bench's operation: a sampling heap profile (objects the
// GC later collected included) over a fixed closed-loop run, written to bench/results/profiles/<name>.heapprofile.
// Prints the top allocation sites (self bytes by function); the file opens in Chrome DevTools (Memory → load).
//   BENCH_REQUESTS=3000 pnpm bench:heap
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countedLoop } from '../gateway/load';
import { ROOT } from '../gateway/processes';
import { ask, dashboardFor, numberEnv, signedInUsers, startAtrium, startSubgraphs } from './harness';
import { runBenchmark } from '../main';

const REQUESTS = numberEnv('BENCH_REQUESTS', 3000);
const CONCURRENCY = numberEnv('BENCH_CONCURRENCY', 16);

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

/** Bytes allocated per function (self), largest first, as shares of all sampled bytes. */
function topSites(path: string, top = 25): { totalBytes: number; lines: string[] } {
  const head = (JSON.parse(readFileSync(path, 'utf8')) as { head: HeapNode }).head;
  const bytes = new Map<string, number>();
  let total = 0;
  const visit = (node: HeapNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url
      .replace(/.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')
      .replace(/.*\/((?:gateway|platform)\/src\/)/, '$1');
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
    total += node.selfSize;
    node.children.forEach(visit);
  };
  visit(head);
  const lines = [...bytes.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, size]) => `${((100 * size) / total).toFixed(1).padStart(5)} % ${key}`);
  return { totalBytes: total, lines };
}

async function main(): Promise<void> {
  const subgraphs = await startSubgraphs();
  const gateway = await startAtrium('atrium', subgraphs.urls);
  try {
    const tokens = await signedInUsers(gateway.url, CONCURRENCY);
    const operation = dashboardFor(gateway.url, tokens);
    await countedLoop(operation, CONCURRENCY, 2000);
    const dir = join(ROOT, 'bench', 'results', 'profiles');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${process.env.BENCH_HEAP_NAME ?? 'atrium'}.heapprofile`);
    await ask(gateway, { heap: 'start' }, 'heaped');
    const run = await countedLoop(operation, CONCURRENCY, REQUESTS);
    await ask(gateway, { heap: 'stop', path }, 'heaped');
    const sites = topSites(path);
    process.stdout.write(
      `${run.completed} requests, ${run.errors} errors; ${path}\n` +
        `sampled ${Math.round(sites.totalBytes / 1024 / run.completed)} KiB allocated per request\n${sites.lines.join('\n')}\n`,
    );
  } finally {
    await gateway.service.stop();
    await subgraphs.service.stop();
  }
}

runBenchmark(main);

// The gateway benchmark: the four real subgraphs in one process, the real gateway in another, this process as the
// client. For each operation: requests per gateway CPU-second at saturation (autocannon), then p50/p95/p99 at
// fixed rates (open loop) through the gateway and for the same data fetched straight from the subgraphs; then
// the latency of an open breaker. Writes bench/results/gateway.{json,md}. About two minutes.
//
//   node -r ./scripts/ts-register.js bench/src/gateway/run.ts
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { closedLoop, openLoop, postJson, type OpenLoopResult } from './load';
import { prepareOperations, type BenchOperation } from './operations';
import { ROOT, startService, type Service } from './processes';
import { markdownReport } from './report';
import { runBenchmark } from '../main';

const SECRET = 'bench-internal-secret-0123456789abcdef0123456789';
// Below saturation for every operation on a 2-core machine that also runs the subgraphs and this client.
const RATES = [20, 80];
const RATE_PHASE_MS = 4000;
const SATURATION_SECONDS = 5;
const CONNECTIONS = 8;
// The highest value the gateway accepts: the limiters still run (their cost is measured) but never refuse.
const UNLIMITED = String(60_000_000);

interface AutocannonResult {
  requests: { total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
// autocannon ships no type declarations; this is the part of its API used here (autocannon 8).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

export interface OperationResult {
  name: string;
  query: string;
  notes: string[];
  saturation: {
    connections: number;
    seconds: number;
    requestsPerSecond: number;
    requestsPerGatewayCpuSecond: number;
    gatewayCpuMsPerRequest: number;
    subgraphsCpuMsPerRequest: number;
    failed: number;
  };
  gateway: OpenLoopResult[];
  direct: OpenLoopResult[] | null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function measure(operation: BenchOperation, gateway: Service, subgraphs: Service, url: string) {
  await operation.gateway();
  if (operation.direct) await operation.direct();
  await closedLoop(operation.gateway, 4, 1000);
  const gatewayCpu = gateway.cpuSeconds();
  const subgraphCpu = subgraphs.cpuSeconds();
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...operation.headers },
    body: operation.body,
    connections: CONNECTIONS,
    duration: SATURATION_SECONDS,
  });
  const gatewaySeconds = gateway.cpuSeconds() - gatewayCpu;
  const subgraphSeconds = subgraphs.cpuSeconds() - subgraphCpu;
  const total = result.requests.total;
  const latency = async (op: BenchOperation['gateway']) => {
    const results: OpenLoopResult[] = [];
    for (const rate of RATES) results.push(await openLoop(op, rate, RATE_PHASE_MS));
    return results;
  };
  const viaGateway = await latency(operation.gateway);
  const direct = operation.direct ? await latency(operation.direct) : null;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    name: operation.name,
    query: operation.query,
    notes: operation.notes,
    saturation: {
      connections: CONNECTIONS,
      seconds: SATURATION_SECONDS,
      requestsPerSecond: Math.round(total / result.duration),
      requestsPerGatewayCpuSecond: Math.round(total / gatewaySeconds),
      gatewayCpuMsPerRequest: round((gatewaySeconds * 1000) / total),
      subgraphsCpuMsPerRequest: round((subgraphSeconds * 1000) / total),
      failed: result.non2xx + result.errors + result.timeouts,
    },
    gateway: viaGateway,
    direct,
  } satisfies OperationResult;
}

/** A subgraph that is down: the first calls fail, the breaker opens, then every answer comes from the breaker. */
async function openBreaker(url: string): Promise<OpenLoopResult> {
  const body = JSON.stringify({ query: '{ systemStatus { status } }' });
  const call = () => postJson(url, body).catch(() => undefined);
  for (let i = 0; i < 30; i++) await call();
  const expectUnavailable = async () => {
    try {
      await postJson(url, body);
    } catch (error) {
      if (/SUBGRAPH_UNAVAILABLE/.test((error as Error).message)) return;
      throw error;
    }
    throw new Error('expected SUBGRAPH_UNAVAILABLE');
  };
  return openLoop(expectUnavailable, 200, 3000);
}

function machineLoad(): string[] {
  try {
    return execFileSync('ps', ['-eo', 'pcpu,comm', '--sort=-pcpu'], { encoding: 'utf8' })
      .split('\n')
      .slice(1, 6)
      .map((line) => line.trim())
      .filter(Boolean);
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const started = new Date();
  const load = { loadavgBefore: loadavg(), busiestProcessesBefore: machineLoad() };
  const subgraphs = await startService(
    'bench/src/gateway/subgraphs.ts',
    { INTERNAL_TOKEN_SECRET: SECRET, NODE_ENV: 'development' },
    /SUBGRAPHS (\{.*\})\n/,
  );
  let gateway: Service | undefined;
  try {
    const urls = JSON.parse(subgraphs.ready[1]!) as Record<
      'identity' | 'integrations' | 'generation' | 'monitoring',
      string
    >;
    gateway = await startService(
      'gateway/src/main.ts',
      {
        INTERNAL_TOKEN_SECRET: SECRET,
        LOG_LEVEL: 'info',
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: '0',
        IDENTITY_URL: urls.identity,
        INTEGRATIONS_URL: urls.integrations,
        GENERATION_URL: urls.generation,
        // Monitoring is left unreachable on purpose: the open-breaker phase measures it.
        MONITORING_URL: `http://127.0.0.1:${await freePort()}/graphql`,
        RATE_LIMIT_IP_PER_MINUTE: UNLIMITED,
        RATE_LIMIT_USER_PER_MINUTE: UNLIMITED,
        RATE_LIMIT_API_KEY_PER_MINUTE: UNLIMITED,
        RATE_LIMIT_INTROSPECTION_PER_MINUTE: UNLIMITED,
      },
      /"url":"([^"]+)"[^\n]*"msg":"ready"/,
    );
    const gatewayUrl = gateway.ready[1]!;
    const operations = await prepareOperations({ gatewayUrl, subgraphUrls: urls, internalSecret: SECRET });
    const results: OperationResult[] = [];
    for (const operation of operations) {
      process.stdout.write(`measuring ${operation.name}…\n`);
      results.push(await measure(operation, gateway, subgraphs, gatewayUrl));
    }
    const breaker = await openBreaker(gatewayUrl);
    const report = {
      date: started.toISOString(),
      durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
      command: 'node -r ./scripts/ts-register.js bench/src/gateway/run.ts',
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        ...load,
        loadavgAfter: loadavg(),
        note: 'client, gateway and subgraphs share these cores (three processes)',
      },
      setup: {
        gateway:
          'gateway/src/main.ts in its own process, embedded mode (in-memory rate limiter), limits at defaults, rate limits raised out of the way',
        subgraphs: 'the four real subgraphs in one process, embedded mode (SQLite)',
        saturation: `autocannon, ${CONNECTIONS} connections, ${SATURATION_SECONDS} s`,
        latency: `open loop at ${RATES.join(' and ')} req/s, ${RATE_PHASE_MS / 1000} s each; latency counted from each request's due time`,
      },
      operations: results,
      openBreaker: { operation: '{ systemStatus { status } } with monitoring unreachable', ...breaker },
    };
    const resultsDir = join(ROOT, 'bench', 'results');
    writeFileSync(join(resultsDir, 'gateway.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(resultsDir, 'gateway.md'), markdownReport(report));
    process.stdout.write(markdownReport(report));
  } finally {
    await gateway?.stop();
    await subgraphs.stop();
  }
}

runBenchmark(main);

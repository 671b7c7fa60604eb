// The realistic load test: virtual users (undici over keep-alive, graphql-ws for subscriptions) against the whole
// stack on PostgreSQL + Redis with two generation workers, each service in its own process. Each user signs in,
// then loops with 1 s think time: `me`, a page of its jobs, and every tenth loop `generate`, watching the job
// over a subscription through the gateway until it ends, then asking for its export URL and downloading it.
// Steps of concurrent users; per step p50/p95/p99 per operation, errors by code and CPU per request per process.
// Writes bench/results/load.{json,md}.
//
//   pnpm bench:load          (LOAD_STEPS=25,50,100 LOAD_STEP_SECONDS=30 LOAD_WORKERS=2 override)
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { percentiles, type Percentiles } from '../gateway/load';
import { ROOT } from '../gateway/processes';
import { startStack, type Stack } from './stack';
import { GraphQLFailure, httpClient, watchJob, wsClient, type HttpClient, type Sample } from './user';

const STEPS = (process.env.LOAD_STEPS ?? '25,50,100').split(',').map(Number);
const STEP_SECONDS = Number(process.env.LOAD_STEP_SECONDS ?? 30);
const WORKERS = Number(process.env.LOAD_WORKERS ?? 2);
const THINK_MS = 1000;
const PASSWORD = 'Load-test-password-0123456789';
const TARGET_P95_MS = 200;
// Generation and the watch include the job's own run time (the local provider streams for a while).
const EXEMPT = new Set(['generate', 'watch']);

interface StepResult {
  users: number;
  seconds: number;
  operations: Record<string, Percentiles & { count: number; errors: number }>;
  errorsByCode: Record<string, number>;
  requests: number;
  cpuMsPerRequest: Record<string, number>;
  meetsTarget: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timed(samples: Sample[], operation: string, fn: () => Promise<unknown>): Promise<unknown> {
  const started = performance.now();
  try {
    const value = await fn();
    samples.push({ operation, ms: performance.now() - started });
    return value;
  } catch (error) {
    const code =
      error instanceof GraphQLFailure ? error.code : ((error as NodeJS.ErrnoException).code ?? 'ERROR');
    samples.push({ operation, ms: performance.now() - started, error: code });
    return undefined;
  }
}

/** One virtual user until `running()` turns false. */
async function virtualUser(
  http: HttpClient,
  gatewayUrl: string,
  email: string,
  samples: Sample[],
  running: () => boolean,
) {
  const signedIn = (await timed(samples, 'signIn', () =>
    http.graphql<{ signIn: { accessToken?: string } }>(
      'mutation($i: SignInInput!) { signIn(input: $i) { ... on AuthPayload { accessToken } } }',
      { i: { email, password: PASSWORD } },
    ),
  )) as { signIn: { accessToken?: string } } | undefined;
  const token = signedIn?.signIn.accessToken;
  if (!token) return;
  const ws = wsClient(gatewayUrl, token);
  try {
    for (let loop = 0; running(); loop++) {
      await timed(samples, 'me', () => http.graphql('{ me { id displayName email } }', undefined, token));
      await sleep(THINK_MS);
      await timed(samples, 'listJobs', () =>
        http.graphql(
          '{ generationJobs(first: 10) { totalCount edges { node { id title status createdAt } } } }',
          undefined,
          token,
        ),
      );
      await sleep(THINK_MS);
      if (loop % 10 !== 0 || !running()) continue;
      const job = (await timed(samples, 'generate', () =>
        http.graphql<{ generate: { id: string } }>(
          'mutation($i: GenerateInput!) { generate(input: $i) { id status } }',
          { i: { kind: 'SUMMARY', title: 'Load test', prompt: `Summarise loop ${loop} of ${email}.` } },
          token,
        ),
      )) as { generate: { id: string } } | undefined;
      if (!job) continue;
      await timed(samples, 'watch', () => watchJob(ws, job.generate.id));
      const exported = (await timed(samples, 'exportUrl', () =>
        http.graphql<{ generationJob: { exportUrl: string | null } }>(
          'query($id: ID!) { generationJob(id: $id) { exportUrl(format: MARKDOWN) } }',
          { id: job.generate.id },
          token,
        ),
      )) as { generationJob: { exportUrl: string | null } } | undefined;
      const href = exported?.generationJob.exportUrl;
      if (href) await timed(samples, 'export', () => http.get(href));
      await sleep(THINK_MS);
    }
  } finally {
    await ws.dispose();
  }
}

async function signUpUsers(http: HttpClient, count: number): Promise<string[]> {
  const emails = Array.from({ length: count }, (_, i) => `load-${Date.now().toString(36)}-${i}@example.com`);
  for (let i = 0; i < emails.length; i += 4)
    await Promise.all(
      emails.slice(i, i + 4).map((email) =>
        http.graphql('mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
          i: { email, password: PASSWORD, displayName: 'Load' },
        }),
      ),
    );
  return emails;
}

async function step(stack: Stack, http: HttpClient, emails: string[]): Promise<StepResult> {
  const samples: Sample[] = [];
  let running = true;
  const users = emails.map(async (email, i) => {
    // Arrivals spread over the first two seconds, as people do not all click at once.
    await sleep((i / emails.length) * 2000);
    await virtualUser(http, stack.gatewayUrl, email, samples, () => running);
  });
  await sleep(2000);
  const cpuBefore = Object.fromEntries(Object.entries(stack.processes).map(([n, p]) => [n, p.cpuSeconds()]));
  const from = samples.length;
  await sleep(STEP_SECONDS * 1000);
  // Sign-ins happen during the ramp: they are counted from the whole step.
  const window = [...samples.slice(0, from).filter((s) => s.operation === 'signIn'), ...samples.slice(from)];
  const cpuMs = Object.fromEntries(
    Object.entries(stack.processes).map(([n, p]) => [n, (p.cpuSeconds() - cpuBefore[n]!) * 1000]),
  );
  running = false;
  await Promise.all(users);
  const operations: StepResult['operations'] = {};
  const errorsByCode: Record<string, number> = {};
  for (const name of new Set(window.map((s) => s.operation))) {
    const mine = window.filter((s) => s.operation === name);
    const ok = mine.filter((s) => !s.error).map((s) => s.ms);
    operations[name] = { ...percentiles(ok), count: mine.length, errors: mine.length - ok.length };
  }
  for (const s of window) if (s.error) errorsByCode[s.error] = (errorsByCode[s.error] ?? 0) + 1;
  const requests = samples.length - from;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    users: emails.length,
    seconds: STEP_SECONDS,
    operations,
    errorsByCode,
    requests,
    cpuMsPerRequest: Object.fromEntries(
      Object.entries(cpuMs).map(([n, ms]) => [n, round(ms / Math.max(1, requests))]),
    ),
    meetsTarget:
      Object.keys(errorsByCode).length === 0 &&
      Object.entries(operations).every(([name, o]) => EXEMPT.has(name) || o.p95 < TARGET_P95_MS),
  };
}

function markdown(report: {
  date: string;
  machine: Record<string, unknown>;
  steps: StepResult[];
  largest: number | null;
}) {
  const lines = [
    '# Load test: virtual users through the gateway',
    '',
    `Run ${report.date}; machine ${JSON.stringify(report.machine)}. The whole stack on PostgreSQL + Redis, one process per`,
    `service, ${WORKERS} generation workers; users sign in, then loop with ${THINK_MS / 1000} s think time: me, a page of jobs,`,
    'and every tenth loop generate → watch over graphql-ws → export URL → download. Steps of ' +
      `${STEP_SECONDS} s after a 2 s ramp; latency in ms.`,
    '',
    `Largest user count with p95 < ${TARGET_P95_MS} ms on every operation except generate/watch and no errors: ` +
      `**${report.largest ?? 'none of the steps'}**.`,
    '',
  ];
  for (const s of report.steps) {
    lines.push(
      `## ${s.users} users (${s.requests} operations, ${(s.requests / s.seconds).toFixed(1)} per second)`,
      '',
      '| operation | count | p50 | p95 | p99 | max | errors |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...Object.entries(s.operations).map(
        ([name, o]) => `| ${name} | ${o.count} | ${o.p50} | ${o.p95} | ${o.p99} | ${o.max} | ${o.errors} |`,
      ),
      '',
      `Errors by code: ${JSON.stringify(s.errorsByCode)}. CPU ms per operation by process: ${Object.entries(
        s.cpuMsPerRequest,
      )
        .map(([n, ms]) => `${n} ${ms}`)
        .join(', ')}.`,
      '',
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const date = new Date().toISOString();
  const loadBefore = loadavg();
  const stack = await startStack({ workers: WORKERS });
  const http = httpClient(stack.gatewayUrl, 256);
  try {
    const emails = await signUpUsers(http, Math.max(...STEPS));
    const steps: StepResult[] = [];
    for (const users of STEPS) {
      process.stdout.write(`step: ${users} users…\n`);
      const result = await step(stack, http, emails.slice(0, users));
      steps.push(result);
      process.stdout.write(`${JSON.stringify(result.operations)}\n${JSON.stringify(result.errorsByCode)}\n`);
    }
    const passing = steps.filter((s) => s.meetsTarget).map((s) => s.users);
    const report = {
      date,
      machine: {
        cpus: cpus().length,
        node: process.version,
        loadavgBefore: loadBefore,
        loadavgAfter: loadavg(),
      },
      steps,
      largest: passing.length ? Math.max(...passing) : null,
    };
    writeFileSync(join(ROOT, 'bench/results/load.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(ROOT, 'bench/results/load.md'), markdown(report));
    process.stdout.write(markdown(report));
  } finally {
    await http.close();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

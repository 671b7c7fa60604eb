// Start-up shared by bench:compare (run.ts) and bench:ab (ab.ts): the subgraphs on CPU 0, gateways pinned to
// CPU 1 with the probe preloaded, the signed-in users with their seeded jobs, and the IPC questions to the probe.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { postJson, type Operation } from '../gateway/load';
import { schemaTypes, seedJobs, signUp } from '../gateway/operations';
import { startService, type Service } from '../gateway/processes';
import type { ProbeWindow } from './probe';
import { DASHBOARD } from './operation';

export const SECRET = 'bench-internal-secret-0123456789abcdef0123456789';
// The highest value the gateway accepts: the limiters still run (their cost is measured) but never refuse.
const UNLIMITED = String(60_000_000);
export const GATEWAY_CPUS = '1';
export const CLIENT_CPUS = '0';
export const JOBS_PER_USER = 5;

export const numberEnv = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

export type SubgraphUrls = Record<'identity' | 'integrations' | 'generation' | 'monitoring', string>;

export interface BenchGateway<Name extends string = string> {
  name: Name;
  service: Service;
  url: string;
}

/** Pins this process (the load client) to the client CPU and starts the four subgraphs there. */
export async function startSubgraphs(): Promise<{ service: Service; urls: SubgraphUrls }> {
  execFileSync('taskset', ['-p', '-c', CLIENT_CPUS, String(process.pid)], { stdio: 'ignore' });
  const service = await startService(
    'bench/src/gateway/subgraphs.ts',
    // Access tokens for the longest run: at the 15-minute default, a slow or shared machine's rounds outlived
    // the users' tokens and every later request failed as unauthenticated.
    { INTERNAL_TOKEN_SECRET: SECRET, NODE_ENV: 'development', IDENTITY_ACCESS_TOKEN_TTL_SECONDS: '3600' },
    /SUBGRAPHS (\{.*\})\n/,
    [],
    { cpus: CLIENT_CPUS },
  );
  return { service, urls: JSON.parse(service.ready[1]!) as SubgraphUrls };
}

/** What every gateway is given: the shared secret and where the subgraphs are. */
export function subgraphEnv(urls: SubgraphUrls): Record<string, string> {
  return {
    INTERNAL_TOKEN_SECRET: SECRET,
    IDENTITY_URL: urls.identity,
    INTEGRATIONS_URL: urls.integrations,
    GENERATION_URL: urls.generation,
    MONITORING_URL: urls.monitoring,
  };
}

/**
 * Starts Atrium's gateway (gateway/src/main.ts of `root`, default this tree) pinned to the gateway CPU with the
 * probe preloaded. Rate limits and admission control run (their cost is measured) but never refuse: a shed
 * request is a cheap error that would flatter CPU per request, and on a loaded machine the event-loop gate trips
 * on others' load.
 */
export async function startAtrium<Name extends string>(
  name: Name,
  urls: SubgraphUrls,
  options: { root?: string; env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<BenchGateway<Name>> {
  const service = await startService(
    'gateway/src/main.ts',
    {
      ...subgraphEnv(urls),
      LOG_LEVEL: 'info',
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      RATE_LIMIT_IP_PER_MINUTE: UNLIMITED,
      RATE_LIMIT_USER_PER_MINUTE: UNLIMITED,
      RATE_LIMIT_API_KEY_PER_MINUTE: UNLIMITED,
      RATE_LIMIT_INTROSPECTION_PER_MINUTE: UNLIMITED,
      ADMISSION_MAX_QUEUE: '1000000',
      ADMISSION_QUEUE_TIMEOUT_MS: '60000',
      ADMISSION_MAX_EVENT_LOOP_DELAY_MS: '60000',
      ...options.env,
    },
    /"url":"([^"]+)"[^\n]*"msg":"ready"/,
    [...(options.nodeArgs ?? []), ...probeArgs()],
    { cpus: GATEWAY_CPUS, ipc: true, root: options.root },
  );
  return { name, service, url: service.ready[1]! };
}

/** Node arguments that preload the probe (probe.ts) into a benchmarked gateway. */
export const probeArgs = (): string[] => ['-r', join(__dirname, 'probe.ts')];

/** Sends a message to the gateway's probe and waits for the answer carrying `key`. */
export function ask<T>(gateway: BenchGateway, message: unknown, key: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (answer: unknown) => {
      if (typeof answer === 'object' && answer !== null && key in answer) {
        gateway.service.child.off('message', onMessage);
        resolve((answer as Record<string, T>)[key]!);
      }
    };
    gateway.service.child.on('message', onMessage);
    gateway.service.child.send(message as string);
  });
}

/** What happened in the gateway since the previous probe (and a new window starts). */
export const probe = (gateway: BenchGateway): Promise<ProbeWindow> =>
  ask<ProbeWindow>(gateway, 'probe', 'probe');

/** Signs up `count` users through `url`, each with finished jobs; returns their access tokens. */
export async function signedInUsers(url: string, count: number): Promise<string[]> {
  const types = await schemaTypes(url);
  const sessions = [];
  for (let i = 0; i < count; i++) {
    const session = await signUp(url, types);
    if (!session) throw new Error('sign-up failed: the benchmark needs signed-in users');
    sessions.push(session);
  }
  await Promise.all(sessions.map((session) => seedJobs(url, session, types, JOBS_PER_USER)));
  return sessions.map((session) => session.token);
}

/** The dashboard for one user per slot: one request in flight per user in the closed loop, as real users. */
export function dashboardFor(url: string, tokens: string[]): Operation {
  const body = JSON.stringify({ query: DASHBOARD });
  const headers = tokens.map((token) => ({ authorization: `Bearer ${token}` }));
  return (slot = 0) => postJson(url, body, headers[slot % headers.length]).then(() => undefined);
}

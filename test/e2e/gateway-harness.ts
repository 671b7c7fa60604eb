// Test-only building blocks for the gateway suites: tiny real subgraphs (platform createSubgraphServer on an
// @apollo/subgraph schema, or a plain HTTP server in a child process that can be killed or frozen), a supergraph
// composed from them with @apollo/composition, and the real gateway in front.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { Authenticator } from '@atrium/gateway/auth';
import { loadGatewayConfig } from '@atrium/gateway/config';
import { createGatewayServer, type GatewayServer } from '@atrium/gateway/server';
import { type Logger } from '@atrium/platform/logging';
import { createSubgraphServer, type SubgraphServer } from '@atrium/platform/server';
import { silentLogger, TEST_INTERNAL_SECRET } from '@atrium/platform/testing';

// Not imported from ../src/stack: that module loads the four real subgraphs, which these suites do not need.
export { TEST_INTERNAL_SECRET };

export const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

export const FIXTURES = join(__dirname, 'gateway-fixtures');

export interface TinySubgraph {
  name: string;
  url: string;
  typeDefs: string;
  /** Headers of every request that reached /graphql, before the assertion guard. */
  requests: IncomingHttpHeaders[];
  server: SubgraphServer;
}

/** A real subgraph: platform createSubgraphServer (assertion guard, masking) on an @apollo/subgraph schema. */
export async function startTinySubgraph(options: {
  name: string;
  typeDefs: string;
  resolvers: Record<string, Record<string, unknown>>;
  log?: Logger;
}): Promise<TinySubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(options.typeDefs),
    resolvers: options.resolvers as never,
  });
  const requests: IncomingHttpHeaders[] = [];
  const server = await createSubgraphServer({
    name: options.name,
    schema,
    permissions: {},
    internalSecret: TEST_INTERNAL_SECRET,
    log: options.log ?? silentLogger(options.name),
    context: (base) => base,
    routes: (app) =>
      app.use('/graphql', (req, _res, next) => {
        requests.push(req.headers);
        next();
      }),
  });
  const { url } = await server.listen(0, '127.0.0.1');
  return { name: options.name, url, typeDefs: options.typeDefs, requests, server };
}

export interface PlainSubgraph {
  name: string;
  url: string;
  typeDefs: string;
  /** How it answers from now on. */
  mode: 'ok' | '500' | 'reset';
  /** Requests received (the child's count is reported on its stdout; in-process servers count here). */
  hits(): number;
  stop(): Promise<void>;
}

/**
 * A plain HTTP "subgraph" in this process: answers every POST per `mode`: a fixed GraphQL body, a 500 with a
 * body holding a secret, or a reset connection.
 */
export async function startPlainSubgraph(options: {
  name: string;
  typeDefs: string;
  mode: 'ok' | '500' | 'reset';
  body?: unknown;
}): Promise<PlainSubgraph> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    req.resume();
    req.once('end', () => {
      if (plain.mode === 'reset') return void req.socket.destroy();
      if (plain.mode === '500') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        return void res.end('stack trace at /srv/internal/db.js password=hunter2-secret');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(options.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const plain: PlainSubgraph = {
    name: options.name,
    url: `http://127.0.0.1:${port}/graphql`,
    typeDefs: options.typeDefs,
    mode: options.mode,
    hits: () => hits,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return plain;
}

/** Established TCP connections to `port` on this machine (what an aborted call must not leave behind). */
export function establishedTo(port: number): number {
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`], {
    encoding: 'utf8',
  });
  return out.split('\n').filter((line) => line.trim() !== '').length;
}

export interface ChildSubgraph {
  name: string;
  url: string;
  typeDefs: string;
  child: ChildProcess;
  /** Ends the child (SIGCONT first, in case it was frozen) and waits for its exit. */
  stop(): Promise<void>;
}

/** A plain subgraph in a child process, so a test can SIGSTOP or kill it like a real service. */
export async function startChildSubgraph(options: {
  name: string;
  typeDefs: string;
  body: unknown;
}): Promise<ChildSubgraph> {
  const child = spawn(process.execPath, [join(FIXTURES, 'plain-subgraph.js')], {
    env: { ...process.env, RESPONSE_BODY: JSON.stringify(options.body) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`plain subgraph exited early (${code})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /LISTENING (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    name: options.name,
    url: `http://127.0.0.1:${port}/graphql`,
    typeDefs: options.typeDefs,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
      await exited;
    },
  };
}

/** The supergraph of these subgraphs, composed with @apollo/composition (no network). */
export function composeSupergraph(
  subgraphs: ReadonlyArray<{ name: string; url: string; typeDefs: string }>,
): string {
  const result = composeServices(
    subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs: parse(typeDefs) })),
  );
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

/** A TCP port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type SubgraphUrls = Partial<Record<'identity' | 'integrations' | 'generation' | 'monitoring', string>>;

/** The gateway's variables for these subgraphs, on top of the test defaults (silent, in-process limiter). */
export function gatewayEnv(urls: SubgraphUrls, env: Record<string, string> = {}): Record<string, string> {
  return {
    INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
    LOG_LEVEL: 'silent',
    ...(urls.identity ? { IDENTITY_URL: urls.identity } : {}),
    ...(urls.integrations ? { INTEGRATIONS_URL: urls.integrations } : {}),
    ...(urls.generation ? { GENERATION_URL: urls.generation } : {}),
    ...(urls.monitoring ? { MONITORING_URL: urls.monitoring } : {}),
    ...env,
  };
}

export interface TestGateway {
  server: GatewayServer;
  url: string;
  origin: string;
  stop(): Promise<void>;
}

/** The real gateway (createGatewayServer) in this process, on port 0. */
export async function startGateway(options: {
  supergraphSdl: string;
  urls: SubgraphUrls;
  env?: Record<string, string>;
  log?: Logger;
  authenticator?: Authenticator;
}): Promise<TestGateway> {
  const config = loadGatewayConfig(gatewayEnv(options.urls, options.env));
  const server = await createGatewayServer({
    config,
    supergraphSdl: options.supergraphSdl,
    log: options.log ?? silentLogger('gateway'),
    authenticator: options.authenticator,
  });
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url, origin: new URL(url).origin, stop: () => server.stop() };
}

/** A counter from the gateway's /metrics, summed over the series matching every label given. */
export async function metricValue(
  origin: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  // A misspelt or renamed metric would otherwise read as 0 and make "nothing left behind" pass for nothing.
  if (!text.includes(`# TYPE ${name} `)) throw new Error(`The gateway exports no metric named ${name}`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

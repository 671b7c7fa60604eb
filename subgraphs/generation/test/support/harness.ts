import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import {
  INTERNAL_ASSERTION_HEADER,
  signInternalAssertion,
  type Principal,
  type Role,
} from '@atrium/platform/auth';
import { createLogger, type Logger } from '@atrium/platform/logging';
import { postGraphQL, type GraphQLResponse, type Leftovers } from '@atrium/platform/testing';
import { loadGenerationConfig, type GenerationConfig } from '../../src/config';
import { createGenerationServer, type GenerationServer } from '../../src/server';

export const SECRET = 'generation-test-internal-secret-0123456789abcdef';

export function user(id: string, roles: Role[] = ['MEMBER']): Principal {
  return { kind: 'user', userId: id, roles, scopes: [], sessionId: `s-${id}`, apiKeyId: null };
}

export function assertionFor(principal: Principal): Promise<string> {
  return signInternalAssertion(principal, { secret: SECRET, audience: 'generation' });
}

export const silentLog: Logger = createLogger({ service: 'generation-test', level: 'silent', pretty: false });

export function testConfig(env: Record<string, string | undefined>): GenerationConfig {
  return loadGenerationConfig({ INTERNAL_TOKEN_SECRET: SECRET, LOG_LEVEL: 'silent', ...env });
}

export interface Harness {
  server: GenerationServer;
  url: string;
  origin: string;
  gql<T = Record<string, unknown>>(
    principal: Principal,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>>;
  /** A graphql-ws client on the subgraph, authenticated as `principal` through a gateway assertion. */
  ws(principal: Principal): Client;
}

/** The generation subgraph on port 0 with `env` over test defaults; everything it opens goes on `leftovers`. */
export async function startGeneration(
  env: Record<string, string | undefined>,
  leftovers: Leftovers,
): Promise<Harness> {
  const server = await createGenerationServer({ config: testConfig(env), log: silentLog });
  leftovers.add(server, (s) => s.stop());
  const { url } = await server.listen(0, '127.0.0.1');
  return {
    server,
    url,
    origin: new URL(url).origin,
    gql: async (principal, query, variables) =>
      postGraphQL(url, query, {
        variables,
        headers: { [INTERNAL_ASSERTION_HEADER]: await assertionFor(principal) },
      }),
    ws: (principal) => {
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: async () => ({ [INTERNAL_ASSERTION_HEADER]: await assertionFor(principal) }),
      });
      leftovers.add(client, (c) => c.dispose());
      return client;
    },
  };
}

/** Collects a subscription's results until it completes (or `timeoutMs` passes, which fails the test). */
export async function collect<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  options: { timeoutMs?: number; until?: (data: T) => boolean } = {},
): Promise<
  Array<{
    data?: T | null;
    errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
  }>
> {
  const results: Array<{
    data?: T | null;
    errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
  }> = [];
  const iterator = client.iterate<T>({ query, variables });
  const timeout = setTimeout(() => void iterator.return?.(), options.timeoutMs ?? 15_000);
  try {
    for await (const result of iterator) {
      results.push(result as never);
      if (result.errors || (result.data && options.until?.(result.data as T))) break;
    }
  } catch (error) {
    results.push({ errors: [{ message: String(error) }] });
  } finally {
    clearTimeout(timeout);
  }
  return results;
}

export const GENERATE = `mutation($input: GenerateInput!) {
  generate(input: $input) { id status title kind cached attempts progress provider output }
}`;

export const JOB = `query($id: ID!) {
  generationJob(id: $id) {
    id status progress output provider model cached attempts title kind
    usage { promptTokens completionTokens costUsd }
    error { code message retryable }
  }
}`;

export const WATCH = `subscription($id: ID!) {
  generationJobUpdated(id: $id) {
    sequence type delta message outputReset
    job { id status progress output provider }
  }
}`;

/** Polls the job until `done(job)` or the deadline. */
export async function waitForJob<T extends { status: string }>(
  harness: Pick<Harness, 'gql'>,
  principal: Principal,
  id: string,
  done: (job: T) => boolean = (job) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status),
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await harness.gql<{ generationJob: T }>(principal, JOB, { id });
    const job = response.body.data?.generationJob;
    if (!job) throw new Error(`job ${id} unreadable: ${JSON.stringify(response.body.errors)}`);
    if (done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface LiveSubscription<T> {
  /** Results received so far (grows while the subscription runs). */
  results: Array<{ data?: T | null; errors?: ReadonlyArray<{ message: string }> }>;
  /** Resolves when the subscription completed or failed. */
  done: Promise<void>;
}

/** Starts a subscription and returns at once; `results` fills as events arrive. */
export function watchLive<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
): LiveSubscription<T> {
  const results: LiveSubscription<T>['results'] = [];
  const done = new Promise<void>((resolve) => {
    client.subscribe<T>(
      { query, variables },
      {
        next: (result) => void results.push(result as never),
        error: (error) => {
          results.push({ errors: [{ message: String(error) }] });
          resolve();
        },
        complete: () => resolve(),
      },
    );
  });
  return { results, done };
}

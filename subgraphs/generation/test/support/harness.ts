import type { Client } from 'graphql-ws';
import type { Principal, Role } from '@atrium/platform/auth';
import type { Logger } from '@atrium/platform/logging';
import {
  silentLogger,
  startTestSubgraph,
  TEST_INTERNAL_SECRET,
  type Leftovers,
  type TestEnv,
  type TestSubgraph,
  type TestDeploymentOptions,
} from '@atrium/platform/testing';
import { loadGenerationConfig, type GenerationConfig } from '../../src/config';
import { createGenerationServer, type GenerationServer } from '../../src/server';

export const SECRET = TEST_INTERNAL_SECRET;

export function user(id: string, roles: Role[] = ['MEMBER']): Principal {
  return { kind: 'user', userId: id, roles, scopes: [], sessionId: `s-${id}`, apiKeyId: null };
}

export const silentLog: Logger = silentLogger('generation-test');

export function testConfig(env: TestEnv): GenerationConfig {
  return loadGenerationConfig({ INTERNAL_TOKEN_SECRET: SECRET, LOG_LEVEL: 'silent', ...env });
}

export type Harness = TestSubgraph<GenerationServer>;

/**
 * The generation subgraph on port 0 with `env` over test defaults, on a fresh SQLite deployment unless
 * `options` say otherwise; everything it opens goes on `leftovers`.
 */
export function startGeneration(
  env: TestEnv,
  leftovers: Leftovers,
  options: TestDeploymentOptions & {
    log?: Logger;
  } = {},
): Promise<Harness> {
  const { log = silentLog, ...deployment } = options;
  return startTestSubgraph({
    name: 'generation',
    start: (config) => createGenerationServer({ config: testConfig(config), log }),
    leftovers,
    env,
    deployment,
  });
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

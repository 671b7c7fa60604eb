// Hostile input at the gateway (issue 10, families 1, 5, 8, 11, 12), through the real gateway with its rate
// limiter on real Redis: documents bounded in bytes and caches bounded by what they retain, error answers of a
// bounded size, every client mistake a coded 4xx that is not logged as a fault, limits that cannot be configured
// out of the implementation's range, and one quiet line per client that goes away.
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadGatewayConfig } from '@atrium/gateway/config';
import { createGatewayServer } from '@atrium/gateway/server';
import { errorCodeDefinition } from '@atrium/platform/errors';
import {
  describeWithRedis,
  Leftovers,
  postGraphQL,
  randomRedisPrefix,
  testServices,
  silentLogger,
  LogCapture,
} from '@atrium/platform/testing';
import { startGeneration, startIdentity } from './gateway-graph';
import {
  composeSupergraph,
  gatewayEnv,
  startGateway,
  type TestGateway,
  type TinySubgraph,
} from './gateway-harness';

const MAX_DOCUMENT_BYTES = 32 * 1024;

async function postRaw(url: string, body: unknown, init: { signal?: AbortSignal } = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { errors?: Array<Record<string, any>> } };
}

/** A document of exactly `bytes` bytes: a comment pads `operation` (comments are free for the token limit). */
function padded(operation: string, bytes: number): string {
  return `#${'x'.repeat(bytes - operation.length - 2)}\n${operation}`;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Levels of the JSON log lines at error level or above (pino: 50 error, 60 fatal). */
const faults = (lines: string[]) =>
  lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);

describeWithRedis('gateway hardening (issue 10)', () => {
  const leftovers = new Leftovers();
  const gatewayLog = new LogCapture('gateway', { level: 'info' });
  let identity: TinySubgraph;
  let generation: TinySubgraph;
  let supergraphSdl: string;
  let gateway: TestGateway;

  beforeAll(async () => {
    identity = leftovers.add(await startIdentity(), (s) => s.server.stop());
    generation = leftovers.add(await startGeneration(), (s) => s.server.stop());
    supergraphSdl = composeSupergraph([identity, generation]);
    gateway = leftovers.add(
      await startGateway({
        supergraphSdl,
        urls: { identity: identity.url, generation: generation.url },
        env: {
          REDIS_URL: testServices.redisUrl!,
          REDIS_KEY_PREFIX: randomRedisPrefix('gw-hardening'),
          RATE_LIMIT_IP_PER_MINUTE: '0',
        },
        log: gatewayLog.log,
      }),
      (g) => g.stop(),
    );
  });
  afterAll(() => leftovers.dispose());

  describe('family 1: documents bounded in bytes, caches bounded by what they retain', () => {
    it('refuses a document over MAX_DOCUMENT_BYTES with 413 DOCUMENT_TOO_LARGE, with or without APQ', async () => {
      const big = padded('{ me { id } }', MAX_DOCUMENT_BYTES + 1);
      const plain = await postRaw(gateway.url, { query: big });
      const persisted = await postRaw(gateway.url, {
        query: big,
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(big) } },
      });
      for (const response of [plain, persisted]) {
        expect(response.status).toBe(413);
        expect(response.body.errors).toEqual([
          expect.objectContaining({
            extensions: expect.objectContaining({ code: 'DOCUMENT_TOO_LARGE', maxDocumentBytes: 32768 }),
          }),
        ]);
      }
      const atLimit = await postRaw(gateway.url, { query: padded('{ me { id } }', MAX_DOCUMENT_BYTES) });
      expect(atLimit.status).toBe(200);
      expect(atLimit.body).toEqual({ data: { me: { id: 'u1' } } });
    });

    it('keeps the heap flat after 600 distinct maximal documents (half as APQ): caches count what they retain', async () => {
      // Caches of 1 MiB each, so 600 × 32 KiB (19 MiB of source text) is many times what they may keep.
      // bench/src/gateway/memory.ts (pnpm bench:gateway-memory) runs the same with the default caches and 5,000 documents.
      const small = leftovers.add(
        await startGateway({
          supergraphSdl,
          urls: { identity: identity.url, generation: generation.url },
          env: { DOCUMENT_CACHE_MAX_BYTES: String(1024 * 1024), APQ_CACHE_MAX_BYTES: String(1024 * 1024) },
        }),
        (g) => g.stop(),
      );
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      const heapAfterGc = () => {
        gc();
        gc();
        return process.memoryUsage().heapUsed;
      };
      const send = async (i: number) => {
        const query = padded(`{ me { id } d${i}: __typename }`, MAX_DOCUMENT_BYTES);
        const body =
          i % 2 === 0
            ? { query }
            : { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } };
        return (await postRaw(small.url, body)).status;
      };
      // Warm-up: what the first requests allocate once (plans, metrics, connections) is not growth.
      for (let i = 0; i < 40; i++) await send(-1 - i);
      const before = heapAfterGc();
      const statuses: number[] = [];
      for (let i = 0; i < 600; i += 4)
        statuses.push(...(await Promise.all([0, 1, 2, 3].map((k) => send(i + k)))));
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      const grownMiB = (heapAfterGc() - before) / 1024 / 1024;
      // Both caches full (2 MiB) plus slack for the allocator; without the bound it is 19 MiB or more.
      expect(grownMiB).toBeLessThan(10);
    }, 120_000);
  });

  describe('family 5: rejections have a bounded number of errors', () => {
    it('answers `{ __typename @aa ×900 }` with at most 11 errors in a small body', async () => {
      const response = await postRaw(gateway.url, { query: `{ __typename ${'@aa'.repeat(900)} }` });
      expect(response.status).toBe(400);
      expect(response.body.errors!.length).toBeLessThanOrEqual(11);
      expect(Buffer.byteLength(response.text)).toBeLessThan(4096);
      expect(response.body.errors![0]!.message).toMatch(/^Directives limit of \d+ (per location )?exceeded/);
    });

    it('refuses more than 5 directives on one location, even when each is allowed', async () => {
      const six = '@include(if: true) @skip(if: false) @aa @bb @cc @dd';
      const response = await postRaw(gateway.url, { query: `{ me ${six} { id } }` });
      expect(response.status).toBe(400);
      expect(response.body.errors!.map((e) => e.message)).toContain(
        'Directives limit of 5 per location exceeded, found 6.',
      );
    });

    it('caps the errors of any repeated mistake, e.g. 300 unknown fields', async () => {
      const response = await postRaw(gateway.url, { query: `{ ${'nope '.repeat(300)}}` });
      expect(response.status).toBe(400);
      expect(response.body.errors!.length).toBeLessThanOrEqual(11);
      expect(Buffer.byteLength(response.text)).toBeLessThan(4096);
    });
  });

  describe('family 8: client mistakes are coded 4xx answers, logged below error level', () => {
    const mistakes: Array<[name: string, body: unknown, status: number, code: string]> = [
      [
        'APQ hash that is not the query’s',
        {
          query: '{ me { id } }',
          extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
        },
        400,
        'PERSISTED_QUERY_HASH_MISMATCH',
      ],
      [
        'APQ version 2',
        {
          query: '{ me { id } }',
          extensions: { persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } },
        },
        400,
        'PERSISTED_QUERY_VERSION_UNSUPPORTED',
      ],
      [
        'two operations without operationName',
        { query: 'query A { me { id } } query B { me { name } }' },
        400,
        'OPERATION_RESOLUTION_FAILURE',
      ],
      [
        'an operationName the document lacks',
        { query: 'query A { me { id } }', operationName: 'B' },
        400,
        'OPERATION_RESOLUTION_FAILURE',
      ],
      [
        'a subscription over POST',
        { query: 'subscription S { me { id } }' },
        400,
        'SUBSCRIPTION_REQUIRES_WEBSOCKET',
      ],
      ['malformed JSON', '{"query": ', 400, 'BAD_REQUEST'],
      ['no query at all', { variables: {} }, 400, 'BAD_REQUEST'],
      ['a syntax error', { query: '{ me { id ' }, 400, 'GRAPHQL_PARSE_FAILED'],
      [
        'a variable of the wrong type',
        { query: 'query Q($n: Int) { users(first: $n) { id } }', variables: { n: 'x' } },
        400,
        'BAD_USER_INPUT',
      ],
    ];

    it.each(mistakes)('%s → %#', async (_name, body, status, code) => {
      const from = gatewayLog.raw.length;
      const response = await postRaw(gateway.url, body);
      expect(response.status).toBe(status);
      expect(response.body.errors![0]!.extensions).toEqual(expect.objectContaining({ code }));
      expect(errorCodeDefinition(code)).toBeDefined();
      expect(faults(gatewayLog.raw.slice(from))).toEqual([]);
    });
  });

  describe('family 12: a client going away', () => {
    it('is one info line per request, without a stack, however many subgraph calls it cancels', async () => {
      const from = gatewayLog.raw.length;
      const requests = Array.from({ length: 5 }, async () => {
        const controller = new AbortController();
        const pending = postRaw(
          gateway.url,
          { query: '{ a: wait(ms: 3000) b: wait(ms: 3000) me { id jobs { id } } }' },
          { signal: controller.signal },
        ).catch(() => undefined);
        // Aborted once the gateway is working on it: the subgraph saw the call.
        const seen = identity.requests.length;
        while (identity.requests.length === seen) await new Promise((resolve) => setTimeout(resolve, 10));
        controller.abort();
        await pending;
      });
      await Promise.all(requests);
      const closedLines = () =>
        gatewayLog.raw.slice(from).filter((line) => line.includes('client closed the connection'));
      while (closedLines().length < 5) await new Promise((resolve) => setTimeout(resolve, 20));
      // Every cancelled call has ended by the time the waits would have.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const lines = gatewayLog.raw.slice(from).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.filter((line) => (line.level as number) >= 40)).toEqual([]);
      expect(lines.filter((line) => JSON.stringify(line).includes('stack'))).toEqual([]);
      expect(closedLines()).toHaveLength(5);
      expect(lines.map((line) => line.level)).toEqual(lines.map(() => 30));
    }, 30_000);
  });

  describe('family 11: limits are range-checked with the bounds the implementation supports', () => {
    it('refuses RATE_LIMIT_IP_PER_MINUTE=1000000000 at start, naming the variable and its range', () => {
      expect(() => loadGatewayConfig(gatewayEnv({}, { RATE_LIMIT_IP_PER_MINUTE: '1000000000' }))).toThrow(
        /RATE_LIMIT_IP_PER_MINUTE.*0\.\.60000000/,
      );
      expect(() => loadGatewayConfig(gatewayEnv({}, { RATE_LIMIT_IP_PER_MINUTE: '60000000' }))).not.toThrow();
    });

    it('never treats a limit the limiter refuses as an outage: the gateway does not start', async () => {
      const config = loadGatewayConfig(
        gatewayEnv(
          { identity: identity.url, generation: generation.url },
          { REDIS_URL: testServices.redisUrl!, REDIS_KEY_PREFIX: randomRedisPrefix('gw-range') },
        ),
      );
      const started = createGatewayServer({
        config: { ...config, rateLimits: { ...config.rateLimits, perIp: 1_000_000_000 } },
        supergraphSdl,
        log: silentLogger('gateway'),
      });
      await expect(started).rejects.toThrow(/perIp=1000000000 per minute is out of range/);
    });
  });

  it('answers ordinary operations throughout', async () => {
    const response = await postGraphQL(gateway.url, '{ me { id } }');
    expect(response.body).toEqual({ data: { me: { id: 'u1' } } });
  });
});

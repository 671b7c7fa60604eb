// Hostile operations against the real gateway: every one is refused before any subgraph works, with a coded
// error and the right HTTP status; none leaks a schema suggestion.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  buildClientSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
  type IntrospectionQuery,
} from 'graphql';
import { COMMITTED_SUPERGRAPH_PATH, readSupergraph } from '@atrium/gateway/supergraph';
import { Leftovers, postGraphQL } from '@atrium/platform/testing';
import { GENERATION_SDL, IDENTITY_SDL, startGeneration, startIdentity } from './gateway-graph';
import {
  closedPort,
  composeSupergraph,
  startGateway,
  type TestGateway,
  type TinySubgraph,
} from './gateway-harness';

const ALLOWED_ORIGIN = 'https://app.example.com';

describe('gateway operation limits', () => {
  const leftovers = new Leftovers();
  let identity: TinySubgraph;
  let gateway: TestGateway;
  const subgraphCalls = () => identity.requests.length;

  beforeAll(async () => {
    identity = leftovers.add(await startIdentity(), (s) => s.server.stop());
    const generation = leftovers.add(await startGeneration(), (s) => s.server.stop());
    const supergraphSdl = composeSupergraph([identity, generation]);
    gateway = await startGateway({
      supergraphSdl,
      urls: { identity: identity.url, generation: generation.url },
      env: { CORS_ORIGINS: ALLOWED_ORIGIN, APQ_CACHE_MAX_BYTES: '6000' },
    });
    leftovers.add(gateway, (g) => g.stop());
  });
  afterAll(() => leftovers.dispose());

  async function expectRefusedBeforeSubgraphs(
    query: string,
    code: string,
    message: RegExp,
    variables?: Record<string, unknown>,
  ) {
    const before = subgraphCalls();
    const response = await postGraphQL(gateway.url, query, { variables });
    expect(response.status).toBe(400);
    expect(response.body.data ?? undefined).toBeUndefined();
    expect(response.body.errors?.[0]?.extensions?.code).toBe(code);
    expect(response.body.errors?.map((e) => e.message).join('\n')).toMatch(message);
    expect(subgraphCalls()).toBe(before);
  }

  it('answers a legitimate cross-subgraph query (the baseline the limits must not break)', async () => {
    const response = await postGraphQL(gateway.url, '{ me { id name jobs { title } friends { id } } }');
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      me: {
        id: 'u1',
        name: 'User u1',
        jobs: [{ title: 'Job 0' }, { title: 'Job 1' }, { title: 'Job 2' }],
        friends: [{ id: 'u1-f' }],
      },
    });
  });

  it('refuses a depth bomb (25 levels) with 400 GRAPHQL_VALIDATION_FAILED before any subgraph call', async () => {
    const bomb = `{ me { ${'friends { '.repeat(25)}id${' }'.repeat(25)} } }`;
    await expectRefusedBeforeSubgraphs(bomb, 'GRAPHQL_VALIDATION_FAILED', /depth limit of 10 exceeded/);
  });

  it('flattens fragments when counting depth: hiding levels in fragments does not help', async () => {
    const fragments = Array.from(
      { length: 12 },
      (_x, i) => `fragment F${i} on User { friends { ${i < 11 ? `...F${i + 1}` : 'id'} } }`,
    ).join('\n');
    await expectRefusedBeforeSubgraphs(
      `{ me { ...F0 } }\n${fragments}`,
      'GRAPHQL_VALIDATION_FAILED',
      /depth limit/,
    );
    // Fragment spreads themselves are no level: 3 fragments around 4 levels pass.
    const ok = await postGraphQL(
      gateway.url,
      '{ me { ...A } } fragment A on User { ...B } fragment B on User { friends { ...C } } fragment C on User { id }',
    );
    expect(ok.body.errors).toBeUndefined();
  });

  it.each([
    ['`__typename`', (i: number) => `a${i}: __typename`],
    ['a field', (i: number) => `a${i}: me { id }`],
  ])('refuses 100 aliases of %s over the alias limit', async (_label, alias) => {
    const query = `{ ${Array.from({ length: 100 }, (_x, i) => alias(i)).join(' ')} }`;
    await expectRefusedBeforeSubgraphs(query, 'GRAPHQL_VALIDATION_FAILED', /Aliases limit of 15 exceeded/);
  });

  it('refuses directives over the directive limit', async () => {
    const query = `{ me { ${'id @include(if: true) '.repeat(30)} } }`;
    await expectRefusedBeforeSubgraphs(query, 'GRAPHQL_VALIDATION_FAILED', /Directives limit of 20 exceeded/);
  });

  it('refuses a JSON array body (batching) with 400 before any subgraph call', async () => {
    const before = subgraphCalls();
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { name } }' }]),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
    expect(subgraphCalls()).toBe(before);
  });

  it('refuses `{ f f f … ×5000 }` with 400 GRAPHQL_PARSE_FAILED (token limit), not 500', async () => {
    await expectRefusedBeforeSubgraphs(
      `{ me { ${'id '.repeat(5000)}} }`,
      'GRAPHQL_PARSE_FAILED',
      /contains more tha[nt] 2000 tokens/,
    );
  });

  it('stops parsing a long document at the limit: the same 400, no subgraph reached; 100k tokens are never parsed', async () => {
    // Latency staying flat is what the limit buys; timings belong in bench/, so this asserts the mechanism: the
    // parser gives up at the limit with the same coded error for 16,000 tokens as for 2,500, and a 100,000-token
    // document is over the byte limit (MAX_DOCUMENT_BYTES), refused before any parsing.
    const huge = await postGraphQL(gateway.url, `{ ${'a '.repeat(100_000)}}`);
    expect(huge.status).toBe(413);
    expect(huge.body.errors?.[0]?.extensions?.code).toBe('DOCUMENT_TOO_LARGE');
    for (const size of [2_500, 16_000]) {
      await expectRefusedBeforeSubgraphs(
        `{ ${'a '.repeat(size)}}`,
        'GRAPHQL_PARSE_FAILED',
        /contains more tha[nt] 2000 tokens/,
      );
    }
  });

  it('answers a 5 MB body with 413 PAYLOAD_TOO_LARGE before any subgraph call', async () => {
    const before = subgraphCalls();
    const response = await postGraphQL(gateway.url, 'query($t: String) { me { id } }', {
      variables: { t: 'x'.repeat(5 * 1024 * 1024) },
    });
    expect(response.status).toBe(413);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(subgraphCalls()).toBe(before);
  });

  const costly =
    'query($n: Int) { users(first: $n) { friends(first: $n) { friends(first: $n) { id name } } } }';

  it('computes cost with the variables: the same document passes small and is refused large', async () => {
    const small = await postGraphQL(gateway.url, costly, { variables: { n: 3 } });
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
    await expectRefusedBeforeSubgraphs(costly, 'GRAPHQL_VALIDATION_FAILED', /cost limit of 5000 exceeded/, {
      n: 100,
    });
    // A pass is remembered for its exact variables only: the large page is refused however often the small
    // one passed before it.
    expect((await postGraphQL(gateway.url, costly, { variables: { n: 3 } })).body.errors).toBeUndefined();
    await expectRefusedBeforeSubgraphs(costly, 'GRAPHQL_VALIDATION_FAILED', /cost limit of 5000 exceeded/, {
      n: 100,
    });
  });

  it('computes cost with schema defaults when no argument is given (a breadth bomb)', async () => {
    await expectRefusedBeforeSubgraphs(
      '{ users { friends { friends { friends { jobs { id } } } } } }',
      'GRAPHQL_VALIDATION_FAILED',
      /cost limit/,
    );
  });

  it('serves the standard introspection query to an anonymous caller, without federation internals', async () => {
    const response = await postGraphQL<{ __schema: { types: Array<{ name: string }>; queryType: unknown } }>(
      gateway.url,
      getIntrospectionQuery(),
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const names = response.body.data!.__schema.types.map((type) => type.name);
    expect(names).toEqual(expect.arrayContaining(['User', 'Job', 'Color', 'Query', 'Mutation']));
    expect(names.filter((name) => /^(_Service|_Any|_Entity|join__|link__)/.test(name))).toEqual([]);
    expect(JSON.stringify(response.body)).not.toMatch(/_entities|_service/);
    // Answered again (from the introspection cache) identically.
    const again = await postGraphQL(gateway.url, getIntrospectionQuery());
    expect(again.body).toEqual(response.body);
  });

  it('refuses circular introspection with "Maximum introspection depth exceeded"', async () => {
    const circular =
      '{ __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }';
    await expectRefusedBeforeSubgraphs(
      circular,
      'GRAPHQL_VALIDATION_FAILED',
      /Maximum introspection depth exceeded/,
    );
    const ofTypes = `{ __type(name: "User") { fields { type ${'{ ofType '.repeat(20)}{ name }${' }'.repeat(20)} } } }`;
    await expectRefusedBeforeSubgraphs(
      ofTypes,
      'GRAPHQL_VALIDATION_FAILED',
      /Introspection depth limit of 15/,
    );
  });

  it.each([
    ['a misspelt field', '{ mee { id } }', undefined],
    ['a misspelt argument', '{ users(firs: 1) { id } }', undefined],
    ['a misspelt type', 'query($c: Colour) { color(value: $c) }', undefined],
    ['a misspelt enum literal', '{ color(value: REDD) }', undefined],
    ['a misspelt enum variable', 'query($c: Color) { color(value: $c) }', { c: 'REDD' }],
  ])('gives no "Did you mean" suggestion for %s', async (_label, query, variables) => {
    const response = await postGraphQL(gateway.url, query, { variables });
    expect(response.status).toBe(400);
    expect(response.body.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(response.body)).not.toMatch(/Did you mean|"me"|RED"|"Color"|"first"/);
  });

  describe('CSRF prevention', () => {
    const get = (query: string, headers: Record<string, string> = {}) =>
      fetch(`${gateway.url}?query=${encodeURIComponent(query)}`, { headers });

    it('refuses GET ?query= without a preflight header, and serves it with one', async () => {
      const before = subgraphCalls();
      const blocked = await get('{ me { id } }');
      expect(blocked.status).toBe(400);
      expect(JSON.stringify(await blocked.json())).toMatch(/BAD_REQUEST/);
      expect(subgraphCalls()).toBe(before);
      const allowed = await get('{ me { id } }', { 'apollo-require-preflight': 'true' });
      expect(allowed.status).toBe(200);
    });

    it('refuses a POST sent as text/plain (a "simple" cross-site request)', async () => {
      const before = subgraphCalls();
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ query: 'mutation { touch }' }),
      });
      expect(response.status).toBe(400);
      expect(subgraphCalls()).toBe(before);
    });

    it('answers a mutation over GET with 405 and runs nothing', async () => {
      const before = subgraphCalls();
      const response = await get('mutation { touch }', { 'apollo-require-preflight': 'true' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(subgraphCalls()).toBe(before);
    });
  });

  describe('CORS', () => {
    it('reflects only a configured origin', async () => {
      const allowed = await fetch(gateway.url, {
        method: 'OPTIONS',
        headers: {
          origin: ALLOWED_ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      });
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');

      for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.net', 'null']) {
        const preflight = await fetch(gateway.url, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
        expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
        const post = await postGraphQL(gateway.url, '{ __typename }', { headers: { origin } });
        expect(post.headers.get('access-control-allow-origin')).toBeNull();
      }
    });
  });

  describe('automatic persisted queries', () => {
    const sha = (query: string) => createHash('sha256').update(query).digest('hex');
    const persisted = (query: string, withQuery: boolean) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...(withQuery ? { query } : {}),
          extensions: { persistedQuery: { version: 1, sha256Hash: sha(query) } },
        }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));

    it('registers a query by hash and then serves it from the hash alone', async () => {
      const query = '{ me { id name } }';
      const unknown = await persisted(query, false);
      expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect((await persisted(query, true)).body.data).toEqual({ me: { id: 'u1', name: 'User u1' } });
      expect((await persisted(query, false)).body.data).toEqual({ me: { id: 'u1', name: 'User u1' } });
    });

    it('keeps the cache bounded: registering more than it holds evicts the oldest', async () => {
      const big = (tag: string) => `query ${tag} { me { id } } ${'\n'.repeat(1400)}`;
      await persisted(big('First'), true);
      expect((await persisted(big('First'), false)).body.data).toBeDefined();
      await persisted(big('Second'), true);
      await persisted(big('Third'), true);
      expect((await persisted(big('First'), false)).body.errors[0].extensions.code).toBe(
        'PERSISTED_QUERY_NOT_FOUND',
      );
      expect((await persisted(big('Third'), false)).body.data).toBeDefined();
    });
  });

  it('serves the public SDL at GET /schema.graphql', async () => {
    const response = await fetch(`${gateway.origin}/schema.graphql`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const sdl = await response.text();
    expect(sdl).toMatch(/type User \{/);
    expect(sdl).not.toMatch(/join__|link__|_entities|_service|@key/);
    expect(IDENTITY_SDL + GENERATION_SDL).toContain('friends(first: Int = 10)');
    expect(sdl).toContain('friends(first: Int = 10): [User!]!');
  });

  it('counts refused operations and times operations by name in /metrics', async () => {
    await postGraphQL(gateway.url, 'query NamedForMetrics { me { id } }');
    const text = await (await fetch(`${gateway.origin}/metrics`)).text();
    expect(text).toMatch(/graphql_operation_duration_seconds_count\{[^}]*operation="NamedForMetrics"/);
    expect(text).toMatch(
      /gateway_subgraph_fetch_duration_seconds_count\{[^}]*subgraph="identity"[^}]*outcome="ok"/,
    );
    expect(text).toMatch(/gateway_rejected_operations_total\{[^}]*reason="cost"[^}]*\} [1-9]/);
    expect(text).toMatch(/gateway_subgraph_breaker_state\{[^}]*subgraph="identity"[^}]*\} 0/);
  });
});

describe('introspection of the committed supergraph', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    // Introspection and /schema.graphql are answered by the gateway alone: no subgraph needs to run.
    const down = `http://127.0.0.1:${await closedPort()}/graphql`;
    gateway = await startGateway({
      supergraphSdl: readSupergraph(),
      urls: { identity: down, integrations: down, generation: down, monitoring: down },
    });
  });
  afterAll(() => gateway?.stop());

  // schema/public.graphql is generated next to the supergraph: the API schema, sorted, after a comment header.
  const publicSdl = readFileSync(
    COMMITTED_SUPERGRAPH_PATH.replace('supergraph.graphql', 'public.graphql'),
    'utf8',
  )
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n')
    .trim();

  it('describes exactly the public API schema (schema/public.graphql), nothing of federation', async () => {
    const everything = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const response = await postGraphQL<IntrospectionQuery>(gateway.url, everything);
    expect(response.status).toBe(200);
    const printed = printSchema(lexicographicSortSchema(buildClientSchema(response.body.data!)));
    expect(printed.trim()).toBe(publicSdl);
  });

  it('serves the same SDL at GET /schema.graphql', async () => {
    const response = await fetch(`${gateway.origin}/schema.graphql`);
    expect(response.status).toBe(200);
    expect((await response.text()).trim()).toBe(publicSdl);
  });
});

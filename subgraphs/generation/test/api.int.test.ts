import { Leftovers } from '@atrium/platform/testing';
import { collect, GENERATE, startGeneration, user, waitForJob, WATCH, type Harness } from './support/harness';

const alice = user('u-alice');
const bob = user('u-bob');
const admin = user('u-admin', ['ADMIN']);
const viewer = user('u-viewer', ['VIEWER']);

type Errors = Array<{ message: string; extensions?: Record<string, unknown> }> | undefined;
const codeOf = (errors: Errors) => errors?.[0]?.extensions?.code;

describe('the generation API (embedded mode)', () => {
  const leftovers = new Leftovers();
  let harness: Harness;
  let slowHarness: Harness;
  beforeAll(async () => {
    harness = await startGeneration(
      {
        GENERATION_LOCAL_CHUNK_DELAY_MS: '0',
        GENERATION_JOBS_PER_MINUTE: '1000',
        GENERATION_MAX_ACTIVE_PER_USER: '50',
      },
      leftovers,
    );
    slowHarness = await startGeneration(
      {
        GENERATION_LOCAL_CHUNK_DELAY_MS: '200',
        GENERATION_MAX_ACTIVE_PER_USER: '1',
        GENERATION_JOBS_PER_MINUTE: '3',
      },
      leftovers,
    );
  });
  afterAll(() => leftovers.dispose());

  const generate = (h: Harness, principal = alice, input: Record<string, unknown> = {}) =>
    h.gql<{ generate: { id: string; status: string } }>(principal, GENERATE, {
      input: { kind: 'SUMMARY', prompt: 'Summarise this. It is short.', ...input },
    });

  it.each([
    ['an empty prompt', { prompt: '   ' }, 'prompt'],
    ['a prompt over 20000 characters', { prompt: 'x'.repeat(20_001) }, 'prompt'],
    ['a control character in the prompt', { prompt: 'hello\u0000world' }, 'prompt'],
    ['a bidi override in the prompt', { prompt: 'abc\u202Edef' }, 'prompt'],
    ['a BATTLECARD without battlecard fields', { kind: 'BATTLECARD' }, 'battlecard'],
    ['battlecard fields on another kind', { battlecard: { competitorName: 'Acme' } }, 'battlecard'],
    [
      'an empty competitor name',
      { kind: 'BATTLECARD', battlecard: { competitorName: ' ' } },
      'battlecard.competitorName',
    ],
    [
      'a competitor website that is not http(s)',
      { kind: 'BATTLECARD', battlecard: { competitorName: 'A', competitorWebsite: 'javascript:alert(1)' } },
      'battlecard.competitorWebsite',
    ],
    [
      'eleven focus areas',
      { kind: 'BATTLECARD', battlecard: { competitorName: 'A', focusAreas: Array(11).fill('x') } },
      'battlecard.focusAreas',
    ],
    ['a title with a newline', { title: 'a\nb' }, 'title'],
    ['an unknown provider', { provider: 'nope' }, 'provider'],
    ['a malformed idempotency key', { idempotencyKey: 'has space' }, 'idempotencyKey'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, input, field) => {
    const response = await generate(harness, alice, input);
    expect(response.body.data ?? null).toBeNull();
    expect(codeOf(response.body.errors)).toBe('BAD_USER_INPUT');
    // Control characters and line breaks in names are refused by platform's central input check first, which
    // names the field by its whole path (`generate(input).title`); the rest by generation's own validation.
    expect(String(response.body.errors![0]!.extensions!.field).replace(/^generate\(input\)\./, '')).toBe(
      field,
    );
  });

  it('accepts a prompt of exactly 20000 characters, emoji counted as one', async () => {
    const response = await generate(harness, alice, { prompt: '😀'.repeat(20_000) });
    expect(response.body.errors).toBeUndefined();
  });

  it('returns the same job for the same idempotency key and user, and refuses the key for another request', async () => {
    const first = await generate(harness, alice, { idempotencyKey: 'order-42' });
    const again = await generate(harness, alice, { idempotencyKey: 'order-42' });
    expect(again.body.data!.generate.id).toBe(first.body.data!.generate.id);
    const other = await generate(harness, alice, {
      idempotencyKey: 'order-42',
      prompt: 'Something else entirely.',
    });
    expect(codeOf(other.body.errors)).toBe('CONFLICT');
    const bobs = await generate(harness, bob, { idempotencyKey: 'order-42' });
    expect(bobs.body.data!.generate.id).not.toBe(first.body.data!.generate.id);
  });

  it('lets only the owner or an ADMIN see, cancel or watch a job', async () => {
    const id = (await generate(harness, alice)).body.data!.generate.id;
    const read = await harness.gql(bob, 'query($id: ID!) { generationJob(id: $id) { id } }', { id });
    expect(codeOf(read.body.errors)).toBe('NOT_FOUND');
    const cancel = await harness.gql(bob, 'mutation($id: ID!) { cancelGeneration(id: $id) { id } }', { id });
    expect(codeOf(cancel.body.errors)).toBe('NOT_FOUND');
    const entities = await harness.gql<{ _entities: unknown[] }>(
      bob,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on GenerationJob { id } } }',
      { r: [{ __typename: 'GenerationJob', id }] },
    );
    expect(entities.body.data?._entities).toEqual([null]);
    const watched = await collect(harness.ws(bob), WATCH, { id });
    expect(watched).toHaveLength(1);
    expect(watched[0]!.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const asAdmin = await harness.gql<{ generationJob: { id: string } }>(
      admin,
      'query($id: ID!) { generationJob(id: $id) { id } }',
      { id },
    );
    expect(asAdmin.body.data?.generationJob.id).toBe(id);
    await waitForJob(harness, alice, id);
  });

  it('refuses generation to a VIEWER and to an anonymous caller', async () => {
    expect(codeOf((await generate(harness, viewer)).body.errors)).toBe('FORBIDDEN');
    const anonymous = { ...alice, kind: 'anonymous' as const, userId: null, roles: [] };
    expect(codeOf((await generate(harness, anonymous)).body.errors)).toBe('UNAUTHENTICATED');
  });

  it('pages through jobs newest first with a clamped page size and a status filter', async () => {
    const carol = user('u-carol');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await generate(harness, carol, { prompt: `Job ${i}.` })).body.data!.generate.id);
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct creation times, so the order is known
    }
    for (const id of ids) await waitForJob(harness, carol, id);
    const page = `query($first: Int, $after: String, $status: GenerationStatus) {
      generationJobs(first: $first, after: $after, status: $status) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
    }`;
    type Page = {
      generationJobs: {
        totalCount: number;
        edges: Array<{ node: { id: string } }>;
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const response = await harness.gql<Page>(carol, page, { first: 2, after });
      const connection = response.body.data!.generationJobs;
      expect(connection.totalCount).toBe(5);
      seen.push(...connection.edges.map((e) => e.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    const huge = await harness.gql<Page>(carol, page, { first: 1_000_000 });
    expect(huge.body.data!.generationJobs.edges).toHaveLength(5);
    // A first page with room to spare counts its own rows; a full one and later pages count in the database.
    expect(huge.body.data!.generationJobs.totalCount).toBe(5);
    const exact = await harness.gql<Page>(carol, page, { first: 5 });
    expect(exact.body.data!.generationJobs).toMatchObject({
      totalCount: 5,
      pageInfo: { hasNextPage: false },
    });
    const succeeded = await harness.gql<Page>(carol, page, { first: 4, status: 'SUCCEEDED' });
    expect(succeeded.body.data!.generationJobs).toMatchObject({
      totalCount: 5,
      pageInfo: { hasNextPage: true },
    });
    const failed = await harness.gql<Page>(carol, page, { status: 'FAILED' });
    expect(failed.body.data!.generationJobs.totalCount).toBe(0);
    const bad = await harness.gql(carol, page, { after: 'not-a-cursor' });
    expect(codeOf(bad.body.errors)).toBe('BAD_USER_INPUT');
  });

  it("adds generationJobs to identity's User: the user themself or ADMIN only", async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id generationJobs(first: 1) { totalCount } } } }`;
    const own = await harness.gql<{ _entities: Array<{ generationJobs: { totalCount: number } }> }>(
      alice,
      query,
      {
        r: [{ __typename: 'User', id: 'u-alice' }],
      },
    );
    expect(own.body.data!._entities[0]!.generationJobs.totalCount).toBeGreaterThan(0);
    const byAdmin = await harness.gql(admin, query, { r: [{ __typename: 'User', id: 'u-alice' }] });
    expect(byAdmin.body.errors).toBeUndefined();
    const byBob = await harness.gql(bob, query, { r: [{ __typename: 'User', id: 'u-alice' }] });
    expect(codeOf(byBob.body.errors)).toBe('FORBIDDEN');
  });

  it('cancels a running job, refuses to cancel a finished one, and retries a cancelled one to success', async () => {
    const dave = user('u-dave');
    const id = (await generate(slowHarness, dave)).body.data!.generate.id;
    const cancel = 'mutation($id: ID!) { cancelGeneration(id: $id) { status } }';
    const retry = 'mutation($id: ID!) { retryGeneration(id: $id) { status } }';
    expect(
      (await slowHarness.gql<{ cancelGeneration: { status: string } }>(dave, cancel, { id })).body.data!
        .cancelGeneration.status,
    ).toBe('CANCELLED');
    const retried = await slowHarness.gql<{ retryGeneration: { status: string } }>(dave, retry, { id });
    expect(retried.body.data?.retryGeneration.status).toBe('QUEUED');
    const done = await waitForJob<{ status: string; attempts: number }>(
      slowHarness,
      dave,
      id,
      undefined,
      30_000,
    );
    expect(done.status).toBe('SUCCEEDED');
    expect(codeOf((await slowHarness.gql(dave, cancel, { id })).body.errors)).toBe('CONFLICT');
    expect(codeOf((await slowHarness.gql(dave, retry, { id })).body.errors)).toBe('CONFLICT');
  });

  it('limits jobs running at once and jobs per minute per user with RATE_LIMITED and retryAfterSeconds', async () => {
    const erin = user('u-erin');
    const first = await generate(slowHarness, erin);
    expect(first.body.errors).toBeUndefined();
    const second = await generate(slowHarness, erin);
    expect(codeOf(second.body.errors)).toBe('RATE_LIMITED');
    expect(second.body.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    // Someone else is not affected by erin's limits.
    const frank = user('u-frank');
    const franks = await generate(slowHarness, frank);
    expect(franks.body.errors).toBeUndefined();
    await slowHarness.gql(frank, 'mutation($id: ID!) { cancelGeneration(id: $id) { id } }', {
      id: franks.body.data!.generate.id,
    });
    await slowHarness.gql(erin, 'mutation($id: ID!) { cancelGeneration(id: $id) { id } }', {
      id: first.body.data!.generate.id,
    });
    // Three jobs a minute: the one above, one more now, then the limit.
    const another = await generate(slowHarness, erin);
    expect(another.body.errors).toBeUndefined();
    await slowHarness.gql(erin, 'mutation($id: ID!) { cancelGeneration(id: $id) { id } }', {
      id: another.body.data!.generate.id,
    });
    const third = await generate(slowHarness, erin);
    expect(third.body.errors).toBeUndefined();
    await slowHarness.gql(erin, 'mutation($id: ID!) { cancelGeneration(id: $id) { id } }', {
      id: third.body.data!.generate.id,
    });
    const limited = await generate(slowHarness, erin);
    expect(codeOf(limited.body.errors)).toBe('RATE_LIMITED');
    expect(limited.body.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(limited.body.errors![0]!.extensions!.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('lists providers, the local one saying plainly that it is a template engine', async () => {
    const response = await harness.gql<{
      modelProviders: Array<{ id: string; kind: string; description: string }>;
    }>(alice, '{ modelProviders { id kind models circuitState available description } }');
    expect(response.body.data!.modelProviders).toEqual([
      expect.objectContaining({
        id: 'local',
        kind: 'local',
        models: ['template-v1'],
        circuitState: 'CLOSED',
        available: true,
      }),
    ]);
    expect(response.body.data!.modelProviders[0]!.description).toMatch(
      /template engine, not a language model/,
    );
  });
});

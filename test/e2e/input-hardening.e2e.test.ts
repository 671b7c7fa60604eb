// Hostile input through the whole stack on PostgreSQL and Redis (issue 10, families 3 and 6): every string input
// is checked once, centrally, by platform (gateway and every subgraph server), so NUL, lone surrogates and (in
// names and labels) bidi controls get 400 BAD_USER_INPUT naming the field and never reach a database; and a
// subgraph refuses an `_entities` request with more representations than it accepts.
import { ANONYMOUS } from '@atrium/platform/auth';
import { describeWithPostgres, postGraphQL, subgraphClient } from '@atrium/platform/testing';
import { productionEnv, type ProductionEnv } from '../src/production-env';
import { startStack, type Stack } from '../src/stack';

const NUL = '\u0000';
const RLO = '\u202E';
const LONE = '\uD800';

describeWithPostgres('string inputs and entity fan-out (PostgreSQL, Redis)', () => {
  let production: ProductionEnv;
  let stack: Stack;
  let token: string;

  beforeAll(async () => {
    production = await productionEnv();
    stack = await startStack({ env: production.env });
    const signUp = await gql('mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
      i: { email: 'input-guard@example.test', password: 'a long enough password', displayName: 'Guard' },
    });
    token = signUp.body.data!.signUp.accessToken;
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await production?.drop();
  });

  function gql(query: string, variables?: Record<string, unknown>, withToken = false) {
    return postGraphQL<any>(stack.gatewayUrl, query, {
      variables,
      headers: withToken ? { authorization: `Bearer ${token}` } : {},
    });
  }

  const cases: Array<[what: string, query: string, variables: Record<string, unknown>, field: string]> = [
    [
      'a NUL in an ID (variable)',
      'query($id: ID!) { generationJob(id: $id) { id } }',
      { id: `job${NUL}1` },
      'generationJob(id)',
    ],
    ['a NUL in an ID (literal)', 'mutation { revokeSession(id: "s\\u0000ess") }', {}, 'revokeSession(id)'],
    [
      'a NUL in an email',
      'mutation($i: SignInInput!) { signIn(input: $i) { __typename } }',
      { i: { email: `a${NUL}@example.test`, password: 'whatever it is' } },
      'signIn(input).email',
    ],
    [
      'a NUL in an API-key name',
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
      { i: { name: `key${NUL}`, scopes: ['generation:read'] } },
      'createApiKey(input).name',
    ],
    [
      'a right-to-left override in an API-key name',
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
      { i: { name: `invoice${RLO}fdp.exe`, scopes: ['generation:read'] } },
      'createApiKey(input).name',
    ],
    [
      'a lone surrogate in free text',
      'mutation($i: GenerateInput!) { generate(input: $i) { id } }',
      { i: { kind: 'SUMMARY', prompt: `Summarise ${LONE} this` } },
      'generate(input).prompt',
    ],
    [
      'a right-to-left override in a name nested in an input object (literal)',
      'mutation { generate(input: { kind: BATTLECARD, prompt: "p", battlecard: { competitorName: "Acme\u202E" } }) { id } }',
      {},
      'generate(input).battlecard.competitorName',
    ],
  ];

  it.each(cases)('%s → 400 BAD_USER_INPUT naming the field', async (_what, query, variables, field) => {
    const response = await gql(query, variables, true);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) }),
    ]);
  });

  it('stores nothing from a refused sign-up: the same email signs up cleanly afterwards', async () => {
    const refused = await gql('mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
      i: { email: 'later@example.test', password: 'a long enough password', displayName: `Eve${RLO}` },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.extensions?.field).toBe('signUp(input).displayName');
    const accepted = await gql('mutation($i: SignUpInput!) { signUp(input: $i) { user { displayName } } }', {
      i: { email: 'later@example.test', password: 'a long enough password', displayName: 'Eve' },
    });
    expect(accepted.body.errors).toBeUndefined();
    expect(accepted.body.data.signUp.user.displayName).toBe('Eve');
  });

  it('accepts bidi marks and line breaks in free text, where people write them (names refuse them)', async () => {
    const response = await gql(
      'mutation($i: GenerateInput!) { generate(input: $i) { id } }',
      { i: { kind: 'SUMMARY', prompt: `שלום\u200E world\nsecond line` } },
      true,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.generate.id).toEqual(expect.any(String));
  });

  /** A request straight to a subgraph with a valid gateway assertion: what the subgraph itself refuses. */
  async function toSubgraph(
    name: 'identity' | 'generation',
    query: string,
    variables: Record<string, unknown>,
  ) {
    return subgraphClient(stack.subgraphs[name].url, { audience: name }).gql<any>(
      ANONYMOUS,
      query,
      variables,
    );
  }

  it('checks text in every subgraph too, whatever sent it (the platform server applies the check)', async () => {
    const response = await toSubgraph(
      'generation',
      'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
      { r: [{ __typename: 'GenerationJob', id: `x${NUL}` }] },
    );
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses an _entities request over MAX_ENTITY_REPRESENTATIONS (500) with 400 TOO_MANY_REPRESENTATIONS', async () => {
    const representations = (n: number) =>
      Array.from({ length: n }, (_x, i) => ({
        __typename: 'User',
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      }));
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }';
    // Short ids, so 7,000 fit in the body limit: only the count stops them.
    const short = Array.from({ length: 7000 }, (_x, i) => ({ __typename: 'User', id: String(i) }));
    const many = await toSubgraph('identity', query, { r: short });
    expect(many.status).toBe(400);
    expect(many.body.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'TOO_MANY_REPRESENTATIONS', maxRepresentations: 500 }),
      }),
    ]);
    const allowed = await toSubgraph('identity', query, { r: representations(500) });
    expect(allowed.status).toBe(200);
    expect(allowed.body.data._entities).toHaveLength(500);
  });
});

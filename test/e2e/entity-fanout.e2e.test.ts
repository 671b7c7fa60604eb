// Issue 10, family 6: the number of entities one request makes the gateway fetch is bounded at execution time,
// whatever the plan. The cost limit only estimates list sizes (a list without `first` counts as
// COST_DEFAULT_LIST_SIZE items), so this graph has a list that is cheap by the estimate and as long as the test
// wants in fact: each item references a different User, which two other subgraphs resolve as entities.
import { Leftovers, postGraphQL } from '@atrium/platform/testing';
import {
  composeSupergraph,
  FEDERATION_LINK,
  startGateway,
  startTinySubgraph,
  type TestGateway,
  type TinySubgraph,
} from './gateway-harness';

const LIST_SDL = `${FEDERATION_LINK}
type Query { everyone: [Job!]! }
type Job { id: ID! owner: User! }
type User @key(fields: "id", resolvable: false) { id: ID! }`;

const NAMES_SDL = `${FEDERATION_LINK}
type Query { nameCount: Int }
type User @key(fields: "id") { id: ID! name: String }`;

const SCORES_SDL = `${FEDERATION_LINK}
type Query { scoreCount: Int }
type User @key(fields: "id") { id: ID! score: Int }`;

interface Answer {
  everyone: Array<{ owner: { name?: string | null; score?: number | null } | null }>;
}

describe('entities fetched per request are bounded at execution time (family 6)', () => {
  const leftovers = new Leftovers();
  let items = 0;
  let list: TinySubgraph;
  let names: TinySubgraph;
  let scores: TinySubgraph;
  let supergraphSdl: string;

  beforeAll(async () => {
    list = leftovers.add(
      await startTinySubgraph({
        name: 'generation',
        typeDefs: LIST_SDL,
        resolvers: {
          Query: {
            everyone: () =>
              Array.from({ length: items }, (_x, i) => ({ id: `j${i}`, owner: { id: `u${i}` } })),
          },
        },
      }),
      (s) => s.server.stop(),
    );
    names = leftovers.add(
      await startTinySubgraph({
        name: 'identity',
        typeDefs: NAMES_SDL,
        resolvers: {
          User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: `n-${ref.id}` }) },
        },
      }),
      (s) => s.server.stop(),
    );
    scores = leftovers.add(
      await startTinySubgraph({
        name: 'monitoring',
        typeDefs: SCORES_SDL,
        resolvers: { User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, score: 1 }) } },
      }),
      (s) => s.server.stop(),
    );
    supergraphSdl = composeSupergraph([list, names, scores]);
  });
  afterAll(() => leftovers.dispose());

  const gatewayWith = async (env: Record<string, string> = {}): Promise<TestGateway> =>
    leftovers.add(
      await startGateway({
        supergraphSdl,
        urls: { generation: list.url, identity: names.url, monitoring: scores.url },
        env: { RATE_LIMIT_IP_PER_MINUTE: '0', ...env },
      }),
      (g) => g.stop(),
    );

  it('refuses a fetch of 501 entities (default limit 500) without sending it, though the cost limit let the plan through', async () => {
    const gateway = await gatewayWith();
    const sentBefore = names.requests.length;
    items = 501;
    const refused = await postGraphQL<Answer>(gateway.url, '{ everyone { owner { name } } }');

    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^One fetch from identity would resolve 501 entities/),
        extensions: expect.objectContaining({ code: 'TOO_MANY_ENTITIES', scope: 'fetch', limit: 500 }),
      }),
    ]);
    // The subgraph never received the fetch (its own cap would have answered it with a subgraph error).
    expect(names.requests.length).toBe(sentBefore);

    items = 500;
    const atLimit = await postGraphQL<Answer>(gateway.url, '{ everyone { owner { name } } }');
    expect(atLimit.body.errors).toBeUndefined();
    expect(atLimit.body.data!.everyone).toHaveLength(500);
    expect(atLimit.body.data!.everyone[499]).toEqual({ owner: { name: 'n-u499' } });
    expect(names.requests.length).toBe(sentBefore + 1);
  });

  it('counts every fetch of a request: the second fetch that would pass the request limit is not sent', async () => {
    const gateway = await gatewayWith({
      MAX_ENTITY_REPRESENTATIONS: '50',
      MAX_REQUEST_ENTITY_REPRESENTATIONS: '60',
    });
    items = 40;
    const sentBefore = names.requests.length + scores.requests.length;
    const response = await postGraphQL<Answer>(gateway.url, '{ everyone { owner { name score } } }');

    // Two entity fetches of 40 each: the first fits in 60, the second does not.
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'TOO_MANY_ENTITIES', scope: 'request', limit: 60 }),
      }),
    ]);
    expect(names.requests.length + scores.requests.length).toBe(sentBefore + 1);
    // What the first fetch resolved is still answered: each owner has one field of the two, the other is null.
    const owners = response.body.data!.everyone.map((job) => job.owner);
    expect(owners).toHaveLength(40);
    for (const owner of owners)
      expect([owner?.name ?? null, owner?.score ?? null].filter(Boolean)).toHaveLength(1);

    // Each request has its own count: the same query with 30 items (60 in all) passes whole.
    items = 30;
    const fits = await postGraphQL<Answer>(gateway.url, '{ everyone { owner { name score } } }');
    expect(fits.body.errors).toBeUndefined();
    expect(fits.body.data!.everyone[29]).toEqual({ owner: { name: 'n-u29', score: 1 } });
  });
});

// Queries through a real ApolloGateway and Apollo Server, with Atrium's compiled result shaper registered
// (useResultShaper, through the patch of executeQueryPlan) and without it (stock computeResponse): the response
// must be the same JSON text either way. Clean answers are shaped by the compiled shaper (computeResponse is not
// called); answers computeResponse would find fault with (a null in a non-null field, an invalid enum value or
// __typename) and operations the shaper does not cover (introspection) fall back to computeResponse, so errors
// and null bubbling stay exactly the gateway's.
import { composeServices } from '@apollo/composition';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { setResultShaperCompiler } from '@apollo/gateway/dist/executeQueryPlan';
import * as resultShaping from '@apollo/gateway/dist/resultShaping';
import { ApolloServer } from '@apollo/server';
import { parse } from 'graphql';
import { useResultShaper } from '../src/result-shaper';

const POSTS_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
enum Mood { HAPPY SAD }
interface Node { id: ID! }
type Post implements Node @key(fields: "id") { id: ID! title: String! mood: Mood tags: [String!]! author: Person! }
type Person implements Node @key(fields: "id") { id: ID! name: String }
union Item = Post | Person
type Query { feed: [Item]! post(id: ID!): Post node(id: ID!): Node }`;

const PEOPLE_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Person @key(fields: "id") { id: ID! bio: String age: Int! }`;

const supergraphSdl = (() => {
  const composed = composeServices([
    { name: 'posts', url: 'http://posts.invalid/graphql', typeDefs: parse(POSTS_SDL) },
    { name: 'people', url: 'http://people.invalid/graphql', typeDefs: parse(PEOPLE_SDL) },
  ]);
  if (!composed.supergraphSdl) throw new Error(String(composed.errors));
  return composed.supergraphSdl;
})();

interface World {
  /**
   * What the posts subgraph answers to its root fetch: every field it could be asked for, under the response names
   * the gateway asks for them by (the aliases `m` and `n` too), and extra ones it did not ask for.
   */
  posts: Record<string, unknown>;
  /** What the people subgraph answers for one Person representation. */
  person: (id: string) => Record<string, unknown>;
}

const author = (id: string) => ({ __typename: 'Person', id, name: `name ${id}` });
const CLEAN: World = {
  posts: {
    feed: [
      {
        __typename: 'Post',
        id: 'p1',
        title: 'One',
        mood: 'HAPPY',
        m: 'HAPPY',
        tags: ['a'],
        author: author('u1'),
      },
      { __typename: 'Person', id: 'u2', n: 'u2', name: 'Ann' },
      null,
      { __typename: 'Post', id: 'p2', title: 'Two', m: null, tags: [], author: author('u3'), extra: 'x' },
    ],
    post: { __typename: 'Post', id: 'p1', title: 'One', mood: 'SAD', tags: ['c'], author: author('u1') },
    node: { __typename: 'Person', id: 'u2', name: 'Ann' },
  },
  person: (id) => ({ __typename: 'Person', id, bio: `bio ${id}`, age: 30 }),
};

function gatewayOn(world: World): ApolloServer {
  const sources: Record<string, GraphQLDataSource> = {
    posts: { process: async () => ({ data: structuredClone(world.posts) }) },
    people: {
      process: async ({ request }) => {
        const representations = (request.variables?.representations ?? []) as Array<{ id: string }>;
        return { data: { _entities: representations.map(({ id }) => world.person(id)) } };
      },
    },
  };
  return new ApolloServer({
    gateway: new ApolloGateway({ supergraphSdl, buildService: ({ name }) => sources[name]! }),
  });
}

async function answer(world: World, query: string, variables: Record<string, unknown> = {}) {
  const server = gatewayOn(world);
  await server.start();
  try {
    const response = await server.executeOperation({ query, variables });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return JSON.stringify(response.body.singleResult);
  } finally {
    await server.stop();
  }
}

/** The response with the compiled shaper and without it, and how often computeResponse ran with it. */
async function bothWays(world: World, query: string, variables: Record<string, unknown> = {}) {
  const computeResponse = jest.spyOn(resultShaping, 'computeResponse');
  try {
    useResultShaper();
    const shaped = await answer(world, query, variables);
    const fallbacks = computeResponse.mock.calls.length;
    setResultShaperCompiler(undefined);
    const stock = await answer(world, query, variables);
    return { shaped, stock, fallbacks };
  } finally {
    computeResponse.mockRestore();
    setResultShaperCompiler(undefined);
  }
}

const FEED = `query Feed($withBio: Boolean!, $quiet: Boolean = false) {
  feed {
    __typename
    ... on Post { id title m: mood tags author { id bio @include(if: $withBio) age name } }
    ... on Person { n: id name @skip(if: $quiet) age }
    ...Named
  }
  post(id: "p1") { title author { bio } }
  node(id: "u2") { id ... on Person { bio } }
}
fragment Named on Person { name }`;

describe('query responses: the compiled result shaper answers exactly as computeResponse', () => {
  it('shapes a clean multi-subgraph answer itself (aliases, fragments, conditions, entity fields)', async () => {
    for (const variables of [{ withBio: true }, { withBio: false, quiet: true }]) {
      const { shaped, stock, fallbacks } = await bothWays(CLEAN, FEED, variables);
      expect(shaped).toBe(stock);
      expect(fallbacks).toBe(0);
    }
    const { shaped } = await bothWays(CLEAN, FEED, { withBio: false, quiet: true });
    // What the client sees: planner-added fields (ids for the entity fetch, __typename) and extra ones are gone;
    // `name` is skipped in one selection but selected by the fragment.
    expect(JSON.parse(shaped).data.feed[1]).toEqual({ __typename: 'Person', n: 'u2', age: 30, name: 'Ann' });
    expect(JSON.parse(shaped).data.feed[3]).toEqual({
      __typename: 'Post',
      id: 'p2',
      title: 'Two',
      m: null,
      tags: [],
      author: { id: 'u3', age: 30, name: 'name u3' },
    });
    expect(JSON.parse(shaped).data.post).toEqual({ title: 'One', author: { bio: 'bio u1' } });
  });

  it.each([
    [
      'a null in a non-null field from another subgraph (bubbles up to the nullable list element)',
      { ...CLEAN, person: (id: string) => ({ ...CLEAN.person(id), age: id === 'u3' ? null : 30 }) },
    ],
    [
      'an invalid enum value',
      {
        ...CLEAN,
        posts: { ...CLEAN.posts, post: { ...(CLEAN.posts.post as object), mood: 'ANGRY' } },
      },
    ],
    [
      'an unknown __typename',
      { ...CLEAN, posts: { ...CLEAN.posts, node: { __typename: 'Robot', id: 'r1' } } },
    ],
    [
      'a non-null list holding a null',
      {
        ...CLEAN,
        posts: { ...CLEAN.posts, post: { ...(CLEAN.posts.post as object), tags: ['a', null] } },
      },
    ],
  ])('leaves %s to computeResponse: the same data and errors', async (_name, world) => {
    const query = `query { feed { ... on Post { id author { age } } } post(id: "p1") { mood tags } node(id: "u2") { id } }`;
    const { shaped, stock, fallbacks } = await bothWays(world as World, query);
    expect(shaped).toBe(stock);
    expect(fallbacks).toBe(1);
    expect(JSON.parse(shaped).errors ?? JSON.parse(shaped).extensions).toBeDefined();
  });

  it('leaves an operation with introspection fields to computeResponse', async () => {
    const query = `{ __typename post(id: "p1") { title } __type(name: "Post") { name fields { name } } }`;
    const { shaped, stock, fallbacks } = await bothWays(CLEAN, query);
    expect(shaped).toBe(stock);
    expect(fallbacks).toBe(1);
    expect(JSON.parse(shaped).data.__type.name).toBe('Post');
  });
});

// The small federated graph the gateway suites run against: `identity` and `generation` are real subgraphs
// (platform createSubgraphServer) with an entity spanning both; the others are plain stand-ins per suite.
import type { Logger } from '@atrium/platform/logging';
import { FEDERATION_LINK, startTinySubgraph, type TinySubgraph } from './gateway-harness';

export const IDENTITY_SDL = `${FEDERATION_LINK}
type Query {
  me: User
  users(first: Int = 20): [User!]!
  color(value: Color): Color
  boom: String
  wait(ms: Int!): Int
}
type Mutation { touch: Int! }
enum Color { RED GREEN }
type User @key(fields: "id") {
  id: ID!
  name: String!
  friends(first: Int = 10): [User!]!
}`;

export const GENERATION_SDL = `${FEDERATION_LINK}
type Query { jobs(first: Int = 20): [Job!]! }
type Job { id: ID! title: String! }
type User @key(fields: "id") {
  id: ID!
  jobs(first: Int = 5): [Job!]!
}`;

export const MONITORING_SDL = `${FEDERATION_LINK}
type Query { status: String }`;

export const INTEGRATIONS_SDL = `${FEDERATION_LINK}
type Query { flaky: String }
type Mutation { flakyWrite: String }`;

/** What the secret-carrying resolver throws: the client must never see it. */
export const RESOLVER_SECRET = 'sk_live_s3cr3t_resolver_key';

/** Knobs a test turns to slow a subgraph down. */
export interface GraphKnobs {
  generationDelayMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const user = (id: string) => ({ id, name: `User ${id}` });

export function startIdentity(log?: Logger): Promise<TinySubgraph> {
  let touches = 0;
  return startTinySubgraph({
    name: 'identity',
    typeDefs: IDENTITY_SDL,
    log,
    resolvers: {
      Query: {
        me: () => user('u1'),
        users: (_: unknown, { first }: { first: number }) =>
          Array.from({ length: Math.min(first, 3) }, (_x, i) => user(`u${i + 1}`)),
        color: (_: unknown, { value }: { value?: string }) => value ?? 'RED',
        boom: () => {
          throw new Error(`db.internal:5432 refused key ${RESOLVER_SECRET}`);
        },
        wait: async (_: unknown, { ms }: { ms: number }) => {
          await sleep(ms);
          return ms;
        },
      },
      Mutation: { touch: () => ++touches },
      User: {
        __resolveReference: (ref: { id: string }) => user(ref.id),
        friends: (parent: { id: string }) => [user(`${parent.id}-f`)],
      },
    },
  });
}

export function startGeneration(knobs: GraphKnobs = { generationDelayMs: 0 }): Promise<TinySubgraph> {
  const jobs = (owner: string, n: number) =>
    Array.from({ length: Math.min(n, 3) }, (_x, i) => ({ id: `${owner}-j${i}`, title: `Job ${i}` }));
  return startTinySubgraph({
    name: 'generation',
    typeDefs: GENERATION_SDL,
    resolvers: {
      Query: { jobs: (_: unknown, { first }: { first: number }) => jobs('all', first) },
      User: {
        __resolveReference: async (ref: { id: string }) => {
          if (knobs.generationDelayMs > 0) await sleep(knobs.generationDelayMs);
          return { id: ref.id };
        },
        jobs: (parent: { id: string }, { first }: { first: number }) => jobs(parent.id, first),
      },
    },
  });
}

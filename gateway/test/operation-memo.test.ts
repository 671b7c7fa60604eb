// Atrium's patch of @apollo/gateway (patches/@apollo__gateway@2.14.4.patch): executeQueryPlan reads the
// operation of a parsed document once per API schema instead of on every request. Through a real ApolloGateway
// and Apollo Server: a repeated document is not read again, yet each request's variables still decide what it
// gets (@include, arguments), and a different document or a reloaded schema is read afresh. And without trace
// capture, the plan is walked without building the usage-reporting trace nodes nobody reads.
// (The result shaper the patch also lets the gateway register: query-shaping.test.ts.)
import { composeServices } from '@apollo/composition';
import * as operations from '@apollo/federation-internals/dist/operations';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { parse } from 'graphql';

const SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { post(id: ID!): Post }
type Post @key(fields: "id") { id: ID! title: String! body: String }`;

const supergraphSdl = (): string => {
  const composed = composeServices([
    { name: 'posts', url: 'http://posts.invalid/graphql', typeDefs: parse(SDL) },
  ]);
  if (!composed.supergraphSdl) throw new Error(String(composed.errors));
  return composed.supergraphSdl;
};

// The subgraph answers every field it could be asked for; the gateway shapes the answer to the operation.
const posts: GraphQLDataSource = {
  process: async ({ request }) => {
    const id = String(request.variables?.id);
    return { data: { post: { id, title: `title ${id}`, body: `body ${id}` } } };
  },
};

async function startServer(): Promise<ApolloServer> {
  const gateway = new ApolloGateway({ supergraphSdl: supergraphSdl(), buildService: () => posts });
  const server = new ApolloServer({ gateway });
  await server.start();
  return server;
}

async function run(server: ApolloServer, query: string, variables: Record<string, unknown>) {
  const response = await server.executeOperation({ query, variables });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult;
}

const POST =
  'query Post($id: ID!, $withBody: Boolean!) { post(id: $id) { id title body @include(if: $withBody) } }';

describe('the operation of a cached document is read once per schema', () => {
  let reads: jest.SpyInstance;
  beforeEach(() => {
    reads = jest.spyOn(operations, 'operationFromDocument');
  });
  afterEach(() => reads.mockRestore());

  it('reads a repeated document once, and every request still gets what its own variables ask for', async () => {
    const server = await startServer();
    try {
      expect(await run(server, POST, { id: '1', withBody: true })).toEqual({
        data: { post: { id: '1', title: 'title 1', body: 'body 1' } },
      });
      const afterFirst = reads.mock.calls.length;
      expect(afterFirst).toBeGreaterThan(0);

      expect(await run(server, POST, { id: '2', withBody: false })).toEqual({
        data: { post: { id: '2', title: 'title 2' } },
      });
      expect(await run(server, POST, { id: '3', withBody: true })).toEqual({
        data: { post: { id: '3', title: 'title 3', body: 'body 3' } },
      });
      expect(reads.mock.calls.length).toBe(afterFirst);

      // Another document is read on its own.
      expect(await run(server, 'query Title($id: ID!) { post(id: $id) { title } }', { id: '4' })).toEqual({
        data: { post: { title: 'title 4' } },
      });
      expect(reads.mock.calls.length).toBeGreaterThan(afterFirst);
    } finally {
      await server.stop();
    }
  });

  it('reads the document again against another schema (a new gateway, as after a supergraph reload)', async () => {
    const first = await startServer();
    const second = await startServer();
    try {
      await run(first, POST, { id: '1', withBody: true });
      const afterFirst = reads.mock.calls.length;
      expect(await run(second, POST, { id: '5', withBody: false })).toEqual({
        data: { post: { id: '5', title: 'title 5' } },
      });
      expect(reads.mock.calls.length).toBeGreaterThan(afterFirst);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });
});

// The protobuf module executeQueryPlan builds its trace nodes with: @apollo/gateway's own dependency.
const protobufPath = require.resolve('@apollo/usage-reporting-protobuf', {
  paths: [require.resolve('@apollo/gateway')],
});

describe('plan execution without trace capture', () => {
  it('answers without building a single usage-reporting trace node', async () => {
    const { Trace } = (await import(protobufPath)) as {
      Trace: { QueryPlanNode: new (...args: unknown[]) => unknown };
    };
    const traceNodes = jest.spyOn(Trace, 'QueryPlanNode');
    const server = await startServer();
    try {
      expect(await run(server, POST, { id: '7', withBody: true })).toEqual({
        data: { post: { id: '7', title: 'title 7', body: 'body 7' } },
      });
      expect(traceNodes).not.toHaveBeenCalled();
      // The spy sits where executeQueryPlan takes the constructor from: the stock walk would have been seen.
      new Trace.QueryPlanNode();
      expect(traceNodes).toHaveBeenCalledTimes(1);
    } finally {
      traceNodes.mockRestore();
      await server.stop();
    }
  });
});

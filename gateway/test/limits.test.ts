import { buildSchema, getIntrospectionQuery, parse } from 'graphql';
import { loadGatewayConfig } from '../src/config';
import { checkOperation, operationCost, parseOperation } from '../src/limits';

const schema = buildSchema(`
  type Query {
    users(first: Int = 20): UserConnection!
    user(id: ID!): User
    tags: [String!]!
  }
  type UserConnection { edges: [UserEdge!]! totalCount: Int! }
  type UserEdge { node: User! }
  type User { id: ID! friends(first: Int = 10): [User!]! groups: [Group!]! }
  type Group { name: String! }
`);
const limits = loadGatewayConfig({ INTERNAL_TOKEN_SECRET: 'limits-test-internal-secret' }).limits;
const cost = (query: string, variables?: Record<string, unknown>) =>
  operationCost(schema, parse(query), undefined, variables, limits);
const messages = (query: string, variables?: Record<string, unknown>) =>
  checkOperation({ schema, document: parse(query), variables, limits }).map((e) => e.message);

describe('operation cost', () => {
  it('charges objects, not leaves, and sizes a connection by first without counting its edges again', () => {
    expect(cost('{ tags }')).toBe(0);
    expect(cost('{ user(id: 1) { id } }')).toBe(1);
    // users(first: 5): 5 × (connection 1 + edges 1 + node 1)
    expect(cost('{ users(first: 5) { edges { node { id } } } }')).toBe(15);
  });

  it('reads page sizes from variables and schema defaults, clamped to the page size limit', () => {
    const query = 'query($n: Int) { users(first: $n) { edges { node { id } } } }';
    expect(cost(query, { n: 2 })).toBe(6);
    expect(cost(query, {})).toBe(60);
    expect(cost(query, { n: 1_000_000 })).toBe(300);
    // Variables that do not coerce count as the largest page.
    expect(cost(query, { n: 'many' })).toBe(300);
  });

  it('multiplies nested lists, with the default list size where no first is given', () => {
    // user 1 + friends 10 × (1 + groups 10 × 1)
    expect(cost('{ user(id: 1) { friends { groups { name } } } }')).toBe(1 + 10 * (1 + 10));
  });

  it('costs fragments once per context, so fragment fan-out stays linear', () => {
    const fragments = Array.from({ length: 30 }, (_x, i) =>
      i < 29 ? `fragment F${i} on User { ...F${i + 1} ...F${i + 1} }` : `fragment F${i} on User { id }`,
    ).join('\n');
    const started = performance.now();
    expect(cost(`{ user(id: 1) { ...F0 } }\n${fragments}`)).toBe(1);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('refuses an operation over the cost limit with a coded error', () => {
    const [error] = checkOperation({
      schema,
      document: parse(
        'query($n: Int) { users(first: $n) { edges { node { friends(first: $n) { groups { name } } } } } }',
      ),
      variables: { n: 100 },
      limits,
    });
    expect(error?.message).toMatch(/^Operation cost limit of 5000 exceeded, found \d+\.$/);
    expect(error?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('validation limits', () => {
  it('accepts the standard introspection query', () => {
    expect(
      messages(
        getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }),
      ),
    ).toEqual([]);
  });

  it('reports depth, aliases and directives without armor\'s misleading "Syntax Error" prefix', () => {
    expect(messages(`{ user(id: 1) { ${'friends { '.repeat(12)}id${' }'.repeat(12)} } }`)).toEqual([
      'Query depth limit of 10 exceeded, found 14.',
    ]);
    expect(messages(`{ ${Array.from({ length: 16 }, (_x, i) => `a${i}: __typename`).join(' ')} }`)).toEqual([
      'Aliases limit of 15 exceeded, found 16.',
    ]);
    expect(
      messages(
        `{ tags ${'@include(if: true) '.repeat(1)} user(id: 1) { ${'id @skip(if: false) '.repeat(20)} } }`,
      ),
    ).toEqual(['Directives limit of 20 exceeded, found 21.']);
  });

  it('stops parsing at the token limit', () => {
    expect(() => parseOperation(`{ ${'a '.repeat(3000)}}`, limits)).toThrow(/more tha[nt] 2000 tokens/);
    expect(parseOperation('{ tags }', limits).definitions).toHaveLength(1);
  });
});

// The event shaper against executeQueryPlan: for subscriptions whose plan has no `rest`, the engine shapes each
// event itself (result-shaper.ts) instead of running executeQueryPlan. Both paths run here on the same plans and
// events — the real supergraph's subscription fields and a small graph with interfaces, unions, inaccessible
// types and enum values — over hand-written and seeded random operations, clean events and broken variants of
// them. Wherever the shaper answers, its result must be exactly (JSON text included) what executeEvent delivers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { isCompositeType, parse, validate, type GraphQLSchema } from 'graphql';
import { ANONYMOUS } from '@atrium/platform/auth';
import { silentLogger } from '@atrium/platform/testing';
import type { GatewayContext } from '../src/context';
import { SubscriptionPlanner, type SubscriptionPlan } from '../src/subscriptions/planner';
import { executeEvent, shapeEvent, type UpstreamEvent } from '../src/subscriptions/rest-executor';
import { cleanEvent, randomOperation, randomSource, variantsOf } from './operation-fuzz';

const log = silentLogger();
const context: GatewayContext = { principal: ANONYMOUS, requestId: 'shaper-test', log };

const FEED_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@inaccessible"])
type Query { ok: Boolean }
scalar JSON
enum Mood { HAPPY SAD SECRET @inaccessible }
interface Node { id: ID! }
interface Named { name: String }
type Post implements Node & Named @key(fields: "id") {
  id: ID! name: String title: String! tags: [String!]! scores: [Int] mood: Mood meta: JSON author: Person!
}
type Person implements Node & Named @key(fields: "id") { id: ID! name: String nick: String! friends: [Person!] }
type Hidden implements Node @inaccessible { id: ID! secret: String }
union Item = Post | Person | Hidden
type FeedEvent { seq: Int! items: [Item]! node: Node latest: Item! maybe: Float matrix: [[Int!]] }
type Subscription { item(id: ID!): Item node: Node! items: [Item!]! feed(first: Int = 2): FeedEvent! }`;

const PEOPLE_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { person(id: ID!): Person }
type Person @key(fields: "id") { id: ID! bio: String }`;

interface Graph {
  planner: SubscriptionPlanner;
  apiSchema: GraphQLSchema;
  typeNames: string[];
}

function graphOf(supergraphSdl: string): Graph {
  const planner = new SubscriptionPlanner();
  const apiSchema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
  planner.load(supergraphSdl, apiSchema);
  const typeNames = Object.values(planner.schema!.supergraphSchema.getTypeMap())
    .filter((type) => isCompositeType(type) && !type.name.startsWith('_') && !type.name.startsWith('join__'))
    .map((type) => type.name);
  return { planner, apiSchema, typeNames };
}

const realGraph = () => graphOf(readFileSync(join(__dirname, '../../schema/supergraph.graphql'), 'utf8'));

function feedGraph(): Graph {
  const composed = composeServices([
    { name: 'feed', url: 'http://feed.invalid/graphql', typeDefs: parse(FEED_SDL) },
    { name: 'people', url: 'http://people.invalid/graphql', typeDefs: parse(PEOPLE_SDL) },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
  return graphOf(composed.supergraphSdl);
}

function planOf(graph: Graph, text: string): SubscriptionPlan {
  const document = parse(text);
  const problems = validate(graph.apiSchema, document);
  if (problems.length > 0) throw new Error(`${text}\n${problems.map((p) => p.message).join('\n')}`);
  return graph.planner.plan(document, undefined);
}

interface Tally {
  compared: number;
  shaped: number;
  mismatches: string[];
}

/** Runs `event` through both paths; where the shaper answers, it must equal executeEvent's result exactly. */
async function compare(
  plan: SubscriptionPlan,
  event: UpstreamEvent,
  variables: Record<string, unknown>,
  tally: Tally,
  label: string,
): Promise<boolean> {
  const fast = shapeEvent(plan, structuredClone(event), variables);
  const slow = await executeEvent({
    plan,
    event: structuredClone(event),
    services: {},
    context,
    variables,
    log,
  });
  tally.compared++;
  if (!fast) return false;
  tally.shaped++;
  if (JSON.stringify(fast) !== JSON.stringify(slow) || !equal(fast, slow)) {
    tally.mismatches.push(
      `${label}\nvariables ${JSON.stringify(variables)}\nevent ${JSON.stringify(event)}\nshaped   ${JSON.stringify(fast)}\nexecuted ${JSON.stringify(slow)}`,
    );
  }
  return true;
}

function equal(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}

/** A clean event and its broken variants for `text`, compared under each of `variableSets`. */
async function fuzzOperation(
  graph: Graph,
  text: string,
  variableSets: Record<string, unknown>[],
  seed: number,
  tally: Tally,
): Promise<{ cleanShaped: boolean } | undefined> {
  const plan = planOf(graph, text);
  if (!plan.shaper) return undefined;
  let cleanShaped = true;
  for (const [index, variables] of variableSets.entries()) {
    const data = cleanEvent(
      graph.planner.schema!.supergraphSchema,
      plan.primary.operation,
      variables,
      seed + index,
    );
    cleanShaped = (await compare(plan, { data }, variables, tally, text)) && cleanShaped;
    if (index > 0) continue;
    const random = randomSource(seed);
    for (const variant of variantsOf(data, graph.typeNames, random)) {
      await compare(plan, { data: variant }, variables, tally, text);
    }
  }
  return { cleanShaped };
}

const emptyTally = (): Tally => ({ compared: 0, shaped: 0, mismatches: [] });

const REAL_OPERATIONS: { text: string; variableSets: Record<string, unknown>[] }[] = [
  {
    text: 'subscription { generationJobUpdated(id: "j1") { sequence type job { id status } } }',
    variableSets: [{}],
  },
  {
    text: `subscription Watch($id: ID!) { e: generationJobUpdated(id: $id) { n: sequence t: type j: job { i: id s: status } __typename } }`,
    variableSets: [{ id: 'j1' }],
  },
  {
    text: `subscription($id: ID!, $full: Boolean!, $quiet: Boolean = false) {
      generationJobUpdated(id: $id) {
        ...Event
        job { ... on GenerationJob @include(if: $full) { output usage { promptTokens costUsd } } id @skip(if: $quiet) }
      }
    }
    fragment Event on GenerationEvent { sequence delta message outputReset job { ...Job } }
    fragment Job on GenerationJob { __typename kind: status progress cached attempts createdAt finishedAt error { code retryable } }`,
    variableSets: [
      { id: 'j1', full: true },
      { id: 'j1', full: false, quiet: true },
      { id: 'j1', full: true, quiet: false },
    ],
  },
  {
    text: `subscription { myGenerationEvents { job { id } job { status title } ... { job { id kind } } type } }`,
    variableSets: [{}],
  },
  {
    text: `subscription { systemStatusChanged { status services { name status dependencies { name status } uptimeSeconds }
      circuitBreakers { service state failureRate openedAt } queues { name waiting oldestWaitingSeconds } checkedAt } }`,
    variableSets: [{}],
  },
  {
    text: `subscription { alertsChanged { id rule severity state summary service startedAt resolvedAt acknowledgedBy tn: __typename } }`,
    variableSets: [{}],
  },
  {
    text: `subscription { generationJobUpdated(id: "j1") { job { owner { id } id } } }`,
    variableSets: [{}],
  },
];

const FEED_OPERATIONS: { text: string; variableSets: Record<string, unknown>[] }[] = [
  {
    text: `subscription { item(id: "1") { __typename ... on Post { id title tags } ... on Person { id nick } } }`,
    variableSets: [{}],
  },
  {
    text: `subscription { node { id ...N t: __typename } } fragment N on Named { name ... on Post { mood meta } }`,
    variableSets: [{}],
  },
  {
    text: `subscription($s: Boolean!, $i: Boolean = true) {
      feed { seq @skip(if: $s) items { ... on Post @include(if: $i) { id mood } ... on Person { friends { id name @skip(if: $s) } } } }
    }`,
    variableSets: [{ s: true }, { s: false, i: false }, { s: false }],
  },
  {
    text: `subscription { items { ...I } } fragment I on Item { ... on Node { id } ... on Post { scores author { name } } }`,
    variableSets: [{}],
  },
  {
    text: `subscription { feed(first: 3) { latest { __typename } node { __typename id } maybe matrix } }`,
    variableSets: [{}],
  },
  {
    text: `subscription { feed { items { ... on Post { id } } items { ... on Post { title } ... on Person { id } } } }`,
    variableSets: [{}],
  },
];

describe('event shaper: the same results as executeQueryPlan', () => {
  it.each([
    ['the real supergraph', realGraph, REAL_OPERATIONS, 'real'],
    ['a graph with interfaces, unions and inaccessible types', feedGraph, FEED_OPERATIONS, 'feed'],
  ] as const)(
    'hand-written operations on %s, clean and broken events',
    async (_name, build, operations, kind) => {
      const graph = build();
      const tally = emptyTally();
      for (const [index, operation] of operations.entries()) {
        const outcome = await fuzzOperation(
          graph,
          operation.text,
          operation.variableSets,
          1000 + index,
          tally,
        );
        expect(outcome).toBeDefined();
        // Without inaccessible types or values in the graph, a clean event is always the shaper's to answer.
        if (kind === 'real') expect(outcome!.cleanShaped).toBe(true);
      }
      expect(tally.mismatches.slice(0, 3)).toEqual([]);
      // The broken variants exercise both: those the shaper answers and those it leaves to the executor.
      expect(tally.shaped).toBeGreaterThan(tally.compared * 0.2);
      expect(tally.shaped).toBeLessThan(tally.compared);
    },
    120_000,
  );

  it.each([
    [
      'the real supergraph',
      realGraph,
      ['generationJobUpdated', 'myGenerationEvents', 'systemStatusChanged', 'alertsChanged'],
    ],
    ['a graph with interfaces, unions and inaccessible types', feedGraph, ['item', 'node', 'items', 'feed']],
  ] as const)(
    'seeded random operations on %s',
    async (_name, build, fields) => {
      const graph = build();
      const tally = emptyTally();
      let planned = 0;
      for (const [fieldIndex, field] of fields.entries()) {
        for (let seed = 1; seed <= 12; seed++) {
          const operation = randomOperation(graph.apiSchema, field, seed * 7919 + fieldIndex);
          if (validate(graph.apiSchema, parse(operation.text)).length > 0) continue;
          if (await fuzzOperation(graph, operation.text, operation.variableSets, seed, tally)) planned++;
        }
      }
      expect(tally.mismatches.slice(0, 3)).toEqual([]);
      expect(planned).toBeGreaterThan(fields.length * 5);
      expect(tally.shaped).toBeGreaterThan(tally.compared * 0.2);
    },
    120_000,
  );
});

describe('event shaper: what it leaves to executeQueryPlan', () => {
  it('has no shaper when a selected field comes from another subgraph (`rest` runs per event)', () => {
    const real = realGraph();
    expect(
      planOf(real, 'subscription { generationJobUpdated(id: "j") { job { owner { displayName } } } }').shaper,
    ).toBeUndefined();
    const feed = feedGraph();
    expect(planOf(feed, 'subscription { node { id ... on Person { bio } } }').shaper).toBeUndefined();
    expect(planOf(feed, 'subscription { node { id ... on Person { nick } } }').shaper).toBeDefined();
  });

  it('leaves an event with errors to the executor, which places and masks them', async () => {
    const plan = planOf(
      realGraph(),
      'subscription { generationJobUpdated(id: "j1") { sequence job { id status } } }',
    );
    const event: UpstreamEvent = {
      data: null,
      errors: [
        {
          message: 'No such job',
          path: ['generationJobUpdated'],
          extensions: { code: 'NOT_FOUND', stacktrace: ['x'] },
        },
      ],
    };
    expect(shapeEvent(plan, event, {})).toBeUndefined();
    const delivered = await executeEvent({ plan, event, services: {}, context, variables: {}, log });
    expect(delivered).toEqual({
      data: null,
      errors: [
        {
          message: 'No such job',
          path: ['generationJobUpdated'],
          extensions: { code: 'NOT_FOUND', requestId: 'shaper-test' },
        },
      ],
    });
  });

  it('shapes a clean event to the selection: aliases, fragments, conditions, no planner-added fields', () => {
    const plan = planOf(
      feedGraph(),
      `subscription($s: Boolean!) { f: feed { n: seq items { ...P ... on Person { nick @skip(if: $s) } } } }
       fragment P on Post { title t: __typename }`,
    );
    const event: UpstreamEvent = {
      data: {
        f: {
          n: 3,
          items: [
            { __typename: 'Post', title: 'Hello', id: 'p1', extra: 'x' },
            { __typename: 'Person', nick: 'ann', id: 'u1' },
            null,
          ],
        },
      },
    };
    expect(JSON.stringify(shapeEvent(plan, event, { s: false }))).toBe(
      JSON.stringify({
        data: { f: { n: 3, items: [{ title: 'Hello', t: 'Post' }, { nick: 'ann' }, null] } },
      }),
    );
    expect(JSON.stringify(shapeEvent(plan, event, { s: true }))).toBe(
      JSON.stringify({ data: { f: { n: 3, items: [{ title: 'Hello', t: 'Post' }, {}, null] } } }),
    );
  });
});

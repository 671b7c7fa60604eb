import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { buildSchemaSync, createResolversMap, registerEnumType, type BuildSchemaOptions } from 'type-graphql';
import { CircuitState } from '../resilience/circuit-state';

/** The federation 2 directives a subgraph may use; imported once so every subgraph links the same version. */
const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", ' +
  'import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible", "@tag"])';

/** The contract's `JSON` scalar, for fields typed `() => JSON`. */
export const JSONScalar = JSONResolver;

// The contract's `CircuitState`, registered once here for every subgraph that shows a breaker (generation's model
// providers, monitoring's system status): composition needs one name with one description and one set of values.
registerEnumType(CircuitState, {
  name: 'CircuitState',
  description: 'The state of a circuit breaker guarding calls to a dependency.',
  valuesConfig: {
    CLOSED: { description: 'Calls go through.' },
    OPEN: { description: 'Too many recent calls failed: calls are refused at once, without trying.' },
    HALF_OPEN: {
      description: 'After the cooldown: a few probe calls decide whether it closes or opens again.',
    },
  },
});
export { CircuitState };

/**
 * type-graphql insists on a PubSub as soon as a schema has subscriptions, even when every subscription brings
 * its own `subscribe` function. Atrium's subscriptions all do, over the platform EventBus (Redis or in-process),
 * so topic-based subscriptions are refused loudly rather than silently served by a process-local PubSub.
 */
const TOPIC_PUBSUB_DISABLED = {
  publish(): never {
    throw new Error('Topic subscriptions are disabled: publish on the platform EventBus');
  },
  subscribe(): never {
    throw new Error(
      'Topic subscriptions are disabled: give @Subscription a `subscribe` over the platform EventBus',
    );
  },
};

export type ReferenceResolvers = Record<string, { __resolveReference: (...args: never[]) => unknown }>;

/**
 * Builds a federation 2 subgraph schema from type-graphql classes. type-graphql keeps `@Directive` usages in
 * the AST nodes, so the schema is printed with its directives and handed to `buildSubgraphSchema`, which adds
 * `_service`/`_entities`. Synchronous and free of I/O so `schema/` can print SDL without a database.
 */
export function buildFederatedSchema(
  options: Omit<BuildSchemaOptions, 'skipCheck'>,
  referenceResolvers: ReferenceResolvers = {},
): GraphQLSchema {
  const schema = buildSchemaSync({
    // The contract names its date scalar `DateTime` (type-graphql's default would be `DateTimeISO`).
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    pubSub: TOPIC_PUBSUB_DISABLED,
    ...options,
    skipCheck: true,
  });
  describeRootTypes(schema);
  const resolvers = createResolversMap(schema) as Record<string, Record<string, unknown>>;
  for (const [typeName, reference] of Object.entries(referenceResolvers)) {
    resolvers[typeName] = { ...resolvers[typeName], ...reference };
  }
  return buildSubgraphSchema({
    typeDefs: parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
}

/**
 * type-graphql cannot describe the root types, and every public name needs a description. Every subgraph gets
 * the same text, so composition merges them without a hint.
 */
const ROOT_DESCRIPTIONS = {
  Query: 'Every read of the API. Each field says who may call it (role or API-key scope) and its limits.',
  Mutation:
    'Every change. Each field lists the error codes it can return besides UNAUTHENTICATED and RATE_LIMITED, which any call can get.',
  Subscription:
    'Live updates over graphql-ws on the same /graphql endpoint, authorized in `connection_init`. Each field says what it sends and when it completes.',
};

function describeRootTypes(schema: GraphQLSchema): void {
  const roots = {
    Query: schema.getQueryType(),
    Mutation: schema.getMutationType(),
    Subscription: schema.getSubscriptionType(),
  };
  for (const [name, type] of Object.entries(roots)) {
    if (type && !type.description) type.description = ROOT_DESCRIPTIONS[name as keyof typeof roots];
  }
}

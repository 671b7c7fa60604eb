import { buildOperationContext, type ServiceMap } from '@apollo/gateway';
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import { Kind, print, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compileResultShaper, type ResultShaper } from '../result-shaper';

type OperationContext = ReturnType<typeof buildOperationContext>;

/**
 * The name under which each event of a subscription is "fetched" while `rest` runs: the primary fetch of the
 * plan is renamed to it, so a `rest` that calls back into the owning subgraph still reaches the real one.
 */
export const EVENT_SOURCE = '__atrium_subscription_event__';

/** One planned subscription operation, ready to open upstream and to run `rest` per event. */
export interface SubscriptionPlan {
  /** The subgraph owning the subscription field. */
  subgraph: string;
  /** The operation sent upstream (the plan's primary fetch). */
  primary: FetchNode;
  /** Runs per event: the primary fetch (served from the event) followed by `rest`, if any. */
  perEvent: QueryPlan;
  operationContext: OperationContext;
  /**
   * Set when every selected field comes from the event itself (no `rest`): shapes an event without
   * executeQueryPlan, or answers undefined when the event needs the executor's handling (see result-shaper.ts).
   */
  shaper: ResultShaper | undefined;
  /** The supergraph this plan belongs to (an event of an older one is never run against a newer schema). */
  schema: PlannedSchema;
}

/** What executeQueryPlan needs about the schema, built once per supergraph. */
export interface PlannedSchema {
  readonly apiSchema: GraphQLSchema;
  readonly supergraphSchema: GraphQLSchema;
  readonly federationApiSchema: Schema;
  readonly generation: number;
}

const MAX_CACHED_PLANS = 500;

const printed = new WeakMap<DocumentNode, string>();

/** The document's text, printed once per DocumentNode (clients sending the same text share one node). */
export function printedOnce(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

/**
 * The gateway's query planner, on the supergraph the gateway serves, for subscriptions: @apollo/gateway plans
 * them as `{ primary, rest }` but refuses to execute them. Plans are cached per schema and document (LRU).
 */
export class SubscriptionPlanner {
  private planner: QueryPlanner | undefined;
  private current: PlannedSchema | undefined;
  private readonly plans = new Map<string, SubscriptionPlan>();
  private generation = 0;

  /** Replaces the supergraph (from the gateway's onSchemaLoadOrUpdate); drops every cached plan. */
  load(coreSupergraphSdl: string, apiSchema: GraphQLSchema): PlannedSchema {
    const supergraph = Supergraph.build(coreSupergraphSdl);
    this.planner = new QueryPlanner(supergraph);
    this.plans.clear();
    this.current = {
      apiSchema,
      supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
      federationApiSchema: supergraph.apiSchema(),
      generation: ++this.generation,
    };
    return this.current;
  }

  get schema(): PlannedSchema | undefined {
    return this.current;
  }

  /** The plan of a validated subscription document. Throws if the planner finds no subscription node. */
  plan(document: DocumentNode, operationName: string | undefined): SubscriptionPlan {
    const schema = this.current;
    const planner = this.planner;
    if (!schema || !planner) throw new Error('the subscription planner has no schema yet');
    const key = `${operationName ?? ''}\u0000${printedOnce(document)}`;
    const cached = this.plans.get(key);
    if (cached) {
      // Refresh its LRU position.
      this.plans.delete(key);
      this.plans.set(key, cached);
      return cached;
    }
    const operation = operationFromDocument(schema.federationApiSchema, document, { operationName });
    const queryPlan = planner.buildQueryPlan(operation);
    const node = queryPlan.node;
    if (!node || node.kind !== 'Subscription')
      throw new Error('the operation did not plan as a subscription');
    const primary = node.primary;
    const eventFetch: FetchNode = { ...primary, serviceName: EVENT_SOURCE };
    const nodes: PlanNode[] = node.rest ? [eventFetch, node.rest] : [eventFetch];
    const operationContext = buildOperationContext({
      schema: schema.apiSchema,
      operationDocument: document,
      operationName,
    });
    const plan: SubscriptionPlan = {
      subgraph: primary.serviceName,
      primary,
      perEvent: { kind: 'QueryPlan', node: { kind: 'Sequence', nodes } },
      operationContext,
      shaper: node.rest ? undefined : shaperOf(schema, operationContext, primary),
      schema,
    };
    this.plans.set(key, plan);
    if (this.plans.size > MAX_CACHED_PLANS) this.plans.delete(this.plans.keys().next().value as string);
    return plan;
  }
}

/**
 * The event shaper of a plan without `rest`, over the same federation operation executeQueryPlan builds from the
 * operation context (same document, same options), so both paths visit the same selections. None when the
 * primary fetch rewrites its output (executeQueryPlan applies those rewrites) or the operation does not build.
 */
function shaperOf(
  schema: PlannedSchema,
  operationContext: OperationContext,
  primary: FetchNode,
): ResultShaper | undefined {
  if (primary.outputRewrites && primary.outputRewrites.length > 0) return undefined;
  try {
    const operation = operationFromDocument(
      schema.federationApiSchema,
      {
        kind: Kind.DOCUMENT,
        definitions: [operationContext.operation, ...Object.values(operationContext.fragments)],
      },
      { validate: false },
    );
    return compileResultShaper(operation);
  } catch {
    return undefined;
  }
}

/** The variables of the primary fetch: the client's, restricted to those the fetch uses. */
export function primaryVariables(
  primary: FetchNode,
  variables: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of primary.variableUsages ?? []) {
    if (variables && Object.hasOwn(variables, name) && variables[name] !== undefined)
      picked[name] = variables[name];
  }
  return picked;
}

export type { ServiceMap };

import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '@atrium/platform/logging';
import type { GatewayContext } from '../context';
import { adoptSubgraphErrors, formatGatewayError } from '../errors';
import { EVENT_SOURCE, type SubscriptionPlan } from './planner';

/** One event as the owning subgraph sent it (its `next` payload). */
export interface UpstreamEvent {
  data?: Record<string, unknown> | null;
  errors?: unknown;
}

/** What a subscriber receives: data and errors already masked, like an HTTP response body. */
export interface DeliveredResult {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
}

/** Serves the primary fetch of one event's execution from the event itself. */
class EventDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(private readonly event: UpstreamEvent) {}

  async process(): Promise<GatewayGraphQLResponse> {
    const errors = adoptSubgraphErrors(this.event.errors);
    return { data: this.event.data ?? null, ...(errors ? { errors } : {}) };
  }
}

/**
 * The result of an event whose plan has no `rest`, shaped without executeQueryPlan; undefined when the event must
 * go through executeEvent instead: the plan has no shaper, the event carries errors (executeQueryPlan places and
 * masks them), or the shaper finds something only the executor handles (a null in a non-null field, an invalid
 * value). Where it answers, it answers exactly what executeEvent would (gateway/test/result-shaper.test.ts).
 */
export function shapeEvent(
  plan: SubscriptionPlan,
  event: UpstreamEvent,
  variables: Readonly<Record<string, unknown>>,
): DeliveredResult | undefined {
  if (!plan.shaper) return undefined;
  if (Array.isArray(event.errors) && event.errors.length > 0) return undefined;
  const data = plan.shaper(event.data, variables);
  return data ? { data } : undefined;
}

/**
 * Runs an event through the gateway's own executor (executeQueryPlan) with the same data sources as HTTP: the
 * primary fetch is answered by the event, `rest` fetches fields of other subgraphs as the subscriber, and the
 * result is shaped to the client's selection. A failing `rest` gives data with masked errors; it never throws.
 */
export async function executeEvent(options: {
  plan: SubscriptionPlan;
  event: UpstreamEvent;
  services: ServiceMap;
  context: GatewayContext;
  variables: Record<string, unknown>;
  log: Logger;
}): Promise<DeliveredResult> {
  const { plan, event, context, log } = options;
  const services: ServiceMap = Object.create(options.services) as ServiceMap;
  services[EVENT_SOURCE] = new EventDataSource(event);
  const requestContext = {
    request: {
      query: undefined,
      variables: options.variables,
      operationName: plan.operationContext.operation.name?.value,
    },
    // A copy per event: each event is its own request for the entity budget, not one ever-growing request.
    context: { ...context },
    logger: log,
    metrics: {},
    cache: undefined,
    overallCachePolicy: undefined,
  } as unknown as GatewayGraphQLRequestContext;
  let result: { data?: Record<string, unknown> | null; errors?: readonly GraphQLError[] };
  try {
    result = await executeQueryPlan(
      plan.perEvent,
      services,
      requestContext,
      plan.operationContext,
      plan.schema.supergraphSchema,
      plan.schema.federationApiSchema,
    );
  } catch (error) {
    result = { data: null, errors: [toGraphQLError(error)] };
  }
  const errors = result.errors?.map((error) =>
    formatGatewayError(error.toJSON(), error, { log, requestId: context.requestId }),
  );
  return { data: result.data ?? null, ...(errors && errors.length > 0 ? { errors } : {}) };
}

function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  return new GraphQLError(error instanceof Error ? error.message : String(error), {
    originalError: error instanceof Error ? error : undefined,
  });
}

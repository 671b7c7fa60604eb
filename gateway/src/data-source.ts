import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { getOperationAST, type GraphQLError } from 'graphql';
import { ANONYMOUS, INTERNAL_ASSERTION_HEADER } from '@atrium/platform/auth';
import { traceHeaders } from '@atrium/platform/logging';
import { spanIn, SpanKind } from '@atrium/platform/tracing';
import {
  CircuitOpenError,
  PolicyTimeoutError,
  type Policy,
  type StopSignal,
} from '@atrium/platform/resilience';
import { RequestDeadlineError, type GatewayContext } from './context';
import { adoptSubgraphErrors, gatewayTimeout, subgraphUnavailable } from './errors';
import { subjectKey, type AssertionCache, type AssertionSubject } from './subgraph/assertions';
import type { InflightDedup } from './subgraph/dedup';
import { representationCount, type EntityBudget } from './subgraph/entity-budget';
import { ResponseTooLargeError, TransportError, type SubgraphHttpClient } from './subgraph/http-client';
import {
  InvalidResponseError,
  SubgraphStatusError,
  type SubgraphFetchMetrics,
  type SubgraphPolicies,
} from './subgraph/resilience';

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  client: SubgraphHttpClient;
  policies: SubgraphPolicies;
  /** Signs (and reuses) the internal assertions, shared by every subgraph's data source. */
  assertions: AssertionCache;
  /**
   * Shares identical concurrent query fetches of one principal; undefined: every fetch is sent. Its own for
   * this subgraph: fetches are keyed by subject and body only.
   */
  dedup?: InflightDedup<SubgraphAnswer>;
  /** Counts the entity representations of every fetch against its request; over a limit, nothing is sent. */
  entities: EntityBudget;
}

/** A subgraph's GraphQL answer as received: the body is parsed again for each caller who shares it. */
export interface SubgraphAnswer {
  parsed: { data?: Record<string, unknown> | null; errors?: unknown };
  text: string;
}

/**
 * Calls one subgraph on behalf of one client request. The outgoing headers are built here from nothing: the
 * principal travels only as an internal assertion whose audience is this subgraph (reused for the same
 * principal and client while well inside its lifetime), the request id in `x-request-id`; no client header (a
 * forged assertion, cookies, tracing headers) ever reaches a subgraph.
 *
 * Identical query fetches of the same principal and client in flight at the same time share one call (never a
 * mutation; `gateway_subgraph_fetch_dedup_total` counts them); each caller gets its own copy of the answer.
 *
 * Each call runs under the subgraph's policy (timeout that aborts the fetch, breaker, one retry of a reset
 * connection for queries only) and under the request's deadline. Every failure becomes SUBGRAPH_UNAVAILABLE or
 * GATEWAY_TIMEOUT naming only the service: never its URL, host, status line or body (stock @apollo/gateway
 * puts the URL in the message). The gateway still returns what other subgraphs resolved.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly url: URL;
  private readonly policy: Policy;
  private readonly metrics: SubgraphFetchMetrics;

  constructor(private readonly options: SubgraphDataSourceOptions) {
    this.url = new URL(options.url);
    this.policy = options.policies.for(options.name);
    this.metrics = options.policies.metrics;
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    // Health checks and schema loading carry no client context (and this gateway makes neither).
    const context = 'incomingRequestContext' in options ? options.context : undefined;
    const { query, variables, operationName } = options.request;
    const subgraph = this.options.name;
    this.options.entities.take(context, representationCount(variables), subgraph);
    const body = requestBody(query, variables, operationName);
    const subject = subjectOf(context);
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      const mutation = isMutation(options);
      const call = (signal: StopSignal | undefined) => this.call(body, subject, context, signal, !mutation);
      const { dedup } = this.options;
      if (mutation || !dedup) return answerOf((await call(context?.signal)).parsed);
      const { value, leader } = await dedup.run(subject.key, body, context?.signal, call);
      if (leader) return answerOf(value.parsed);
      this.metrics.deduplicated.inc({ subgraph });
      return answerOf(JSON.parse(value.text) as SubgraphAnswer['parsed']);
    } catch (error) {
      outcome = reasonOf(error, context?.signal);
      this.metrics.errors.inc({ subgraph, reason: outcome });
      const log = context?.log;
      const details = { subgraph, reason: outcome, err: error };
      // A client that went away is logged once per request, where its connection closed (server.ts).
      if (outcome === 'client_closed') log?.debug({ subgraph }, 'subgraph call cancelled: client closed');
      else if (outcome === 'circuit_open') log?.debug(details, 'subgraph call rejected by its open breaker');
      else log?.warn(details, 'subgraph call failed');
      throw toClientError(outcome, subgraph);
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.duration.observe({ subgraph, outcome }, seconds);
    }
  }

  /** One call under the subgraph's policy; the assertion is taken inside it, so an open breaker costs nothing. */
  private call(
    body: string,
    subject: KeyedSubject,
    context: GatewayContext | undefined,
    signal: StopSignal | undefined,
    retry: boolean,
  ): Promise<SubgraphAnswer> {
    // Each attempt's signal goes only to the subgraph client's own handler, never to fetch: a Stop will do.
    return this.policy.executeWithStop(
      (attemptSignal) =>
        // One CLIENT span per attempt (when spans are exported): the subgraph's own span is its child.
        context?.tracer
          ? spanIn(context, `subgraph ${this.options.name}`, SpanKind.CLIENT, (traced) =>
              this.attempt(body, subject, traced, attemptSignal),
            )
          : this.attempt(body, subject, context, attemptSignal),
      { signal, retry },
    );
  }

  private attempt(
    body: string,
    subject: KeyedSubject,
    traced: GatewayContext | undefined,
    signal: StopSignal,
  ): Promise<SubgraphAnswer> {
    // A reused assertion comes as the token itself: no promise to wait on for most calls.
    const assertion = this.options.assertions.get(subject, this.options.name, subject.key);
    if (typeof assertion === 'string') return this.send(body, headersFor(assertion, traced), signal);
    return assertion.then((token) => this.send(body, headersFor(token, traced), signal));
  }

  private async send(
    body: string,
    headers: Record<string, string>,
    signal: StopSignal,
  ): Promise<SubgraphAnswer> {
    const response = await this.options.client.post(this.url, body, headers, signal);
    // 400 carries the subgraph's GraphQL errors for the query; any other non-200 is not a GraphQL answer.
    if (response.status !== 200 && response.status !== 400) throw new SubgraphStatusError(response.status);
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || !('data' in parsed || 'errors' in parsed)) {
      if (response.status !== 200) throw new SubgraphStatusError(response.status);
      throw new InvalidResponseError();
    }
    return { parsed: parsed as SubgraphAnswer['parsed'], text: response.body };
  }
}

// A fetch's query text comes from a cached query plan, so the same few strings go out on every request, and
// JSON-encoding one scans (and copies) the whole text: each is encoded once. Bounded in case plans churn.
const MAX_ENCODED_QUERIES = 1000;
const encodedQueries = new Map<string, string>();

/** Exactly `JSON.stringify({ query, variables, operationName })`, with the query's encoding reused. */
export function requestBody(query: unknown, variables: unknown, operationName: unknown): string {
  if (typeof query !== 'string') return JSON.stringify({ query, variables, operationName });
  let encoded = encodedQueries.get(query);
  if (encoded === undefined) {
    if (encodedQueries.size >= MAX_ENCODED_QUERIES) encodedQueries.clear();
    encoded = JSON.stringify(query);
    encodedQueries.set(query, encoded);
  }
  // Members that are undefined are left out, as JSON.stringify leaves them out of an object.
  let body = `{"query":${encoded}`;
  if (variables !== undefined) body += `,"variables":${JSON.stringify(variables)}`;
  if (operationName !== undefined) body += `,"operationName":${JSON.stringify(operationName)}`;
  return `${body}}`;
}

function headersFor(assertion: string, traced: GatewayContext | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    [INTERNAL_ASSERTION_HEADER]: assertion,
  };
  // The correlation id and W3C trace context travel on; the trace id is the request's own when known.
  if (traced?.requestId) Object.assign(headers, traceHeaders(traced));
  return headers;
}

/** An assertion subject with its key (`subjectKey`), the same for every subgraph call of one request. */
type KeyedSubject = AssertionSubject & { key: string };

// Per request context object, so a request's five or six subgraph calls serialise their subject once; the
// context is the request's own, so nothing here is shared between requests, let alone principals. A context
// whose principal or client was replaced gets a new key.
const subjects = new WeakMap<GatewayContext, KeyedSubject>();

function subjectOf(context: GatewayContext | undefined): KeyedSubject {
  const known = context && subjects.get(context);
  if (
    known &&
    known.principal === context.principal &&
    known.clientIp === context.clientIp &&
    known.userAgent === context.userAgent
  )
    return known;
  const subject: AssertionSubject = {
    principal: context?.principal ?? ANONYMOUS,
    clientIp: context?.clientIp,
    userAgent: context?.userAgent,
  };
  const keyed = { ...subject, key: subjectKey(subject) };
  if (context) subjects.set(context, keyed);
  return keyed;
}

function answerOf({ data, errors }: SubgraphAnswer['parsed']): GatewayGraphQLResponse {
  const adopted = adoptSubgraphErrors(errors);
  return { data, ...(adopted ? { errors: adopted } : {}) };
}

function isMutation(options: GraphQLDataSourceProcessOptions<GatewayContext>): boolean {
  const document = 'document' in options ? options.document : undefined;
  if (document) return getOperationAST(document, options.request.operationName)?.operation === 'mutation';
  return /^\s*mutation\b/.test(options.request.query ?? '');
}

/** A bounded label for metrics and logs. */
function reasonOf(error: unknown, signal: StopSignal | undefined): string {
  if (error instanceof PolicyTimeoutError) return 'timeout';
  if (error instanceof CircuitOpenError) return 'circuit_open';
  if (signal?.aborted && error === signal.reason)
    return error instanceof RequestDeadlineError ? 'deadline' : 'client_closed';
  if (error instanceof SubgraphStatusError) return error.status >= 500 ? 'http_5xx' : 'http_4xx';
  if (error instanceof TransportError) return 'transport';
  if (error instanceof ResponseTooLargeError) return 'too_large';
  if (error instanceof InvalidResponseError) return 'invalid_response';
  return 'error';
}

function toClientError(reason: string, subgraph: string): GraphQLError {
  return reason === 'timeout' || reason === 'deadline'
    ? gatewayTimeout(subgraph)
    : subgraphUnavailable(subgraph);
}

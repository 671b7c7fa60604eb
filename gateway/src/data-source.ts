import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { getOperationAST, type GraphQLError } from 'graphql';
import { ANONYMOUS, INTERNAL_ASSERTION_HEADER, signInternalAssertion } from '@atrium/platform/auth';
import { CircuitOpenError, PolicyTimeoutError, type Policy } from '@atrium/platform/resilience';
import { RequestDeadlineError, type GatewayContext } from './context';
import { adoptSubgraphErrors, gatewayTimeout, subgraphUnavailable } from './errors';
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
  internalSecret: string;
  client: SubgraphHttpClient;
  policies: SubgraphPolicies;
}

/**
 * Calls one subgraph on behalf of one client request. The outgoing headers are built here from nothing: the
 * principal travels only as a fresh internal assertion whose audience is this subgraph, with the request id;
 * no client header (a forged assertion, cookies, tracing headers) ever reaches a subgraph.
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
    const body = JSON.stringify({ query, variables, operationName });
    const subgraph = this.options.name;
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      // Signed inside the policy: an open breaker rejects without even that work.
      return await this.policy.execute(
        async (signal) => this.send(body, await this.headers(context), signal),
        {
          signal: context?.signal,
          retry: !isMutation(options),
        },
      );
    } catch (error) {
      outcome = reasonOf(error, context?.signal);
      this.metrics.errors.inc({ subgraph, reason: outcome });
      const log = context?.log;
      const details = { subgraph, reason: outcome, err: error };
      if (outcome === 'circuit_open') log?.debug(details, 'subgraph call rejected by its open breaker');
      else log?.warn(details, 'subgraph call failed');
      throw toClientError(outcome, subgraph);
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.duration.observe({ subgraph, outcome }, seconds);
    }
  }

  private async headers(context: GatewayContext | undefined): Promise<Record<string, string>> {
    const assertion = await signInternalAssertion(context?.principal ?? ANONYMOUS, {
      secret: this.options.internalSecret,
      audience: this.options.name,
      requestId: context?.requestId,
      clientIp: context?.clientIp,
      userAgent: context?.userAgent,
    });
    return {
      'content-type': 'application/json',
      accept: 'application/json',
      [INTERNAL_ASSERTION_HEADER]: assertion,
      ...(context?.requestId ? { 'x-request-id': context.requestId } : {}),
    };
  }

  private async send(
    body: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<GatewayGraphQLResponse> {
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
    const { data, errors } = parsed as { data?: Record<string, unknown> | null; errors?: unknown };
    const adopted = adoptSubgraphErrors(errors);
    return { data, ...(adopted ? { errors: adopted } : {}) };
  }
}

function isMutation(options: GraphQLDataSourceProcessOptions<GatewayContext>): boolean {
  const document = 'document' in options ? options.document : undefined;
  if (document) return getOperationAST(document, options.request.operationName)?.operation === 'mutation';
  return /^\s*mutation\b/.test(options.request.query ?? '');
}

/** A bounded label for metrics and logs. */
function reasonOf(error: unknown, signal: AbortSignal | undefined): string {
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

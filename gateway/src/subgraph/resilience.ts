import type { Metrics } from '@atrium/platform/metrics';
import { PolicyRegistry, type CircuitState, type Policy } from '@atrium/platform/resilience';
import type { ResilienceSettings } from '../config-hardening';
import { ResponseTooLargeError, TransportError } from './http-client';

/** The subgraph answered with an HTTP status the gateway does not read as GraphQL (5xx, 401, …). */
export class SubgraphStatusError extends Error {
  constructor(readonly status: number) {
    super(`subgraph answered HTTP ${status}`);
    this.name = 'SubgraphStatusError';
  }
}

/** The subgraph's body was not a GraphQL response. */
export class InvalidResponseError extends Error {
  constructor() {
    super('subgraph response is not a GraphQL JSON response');
    this.name = 'InvalidResponseError';
  }
}

// Only a reset connection is retried, once, and only for queries: a refused connection means the service is
// down (retrying doubles the wait), a timeout already cost the whole budget, and a mutation may have been applied.
const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE']);

const BREAKER_STATE_VALUE: Record<CircuitState, number> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

const FETCH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface SubgraphFetchMetrics {
  duration: ReturnType<Metrics['histogram']>;
  errors: ReturnType<Metrics['counter']>;
  breakerState: ReturnType<Metrics['gauge']>;
  /** Fetches answered by sharing an identical one already in flight (same principal, client and body). */
  deduplicated: ReturnType<Metrics['counter']>;
  /** Internal assertions by result: `reused` (inside its reuse window) or `signed`. */
  assertions: ReturnType<Metrics['counter']>;
}

/**
 * One mollitia policy per subgraph (platform PolicyRegistry): a timeout that aborts the fetch, one retry of a
 * reset connection for queries only, and a sliding-window breaker. Its OPEN state rejects without any I/O, so a
 * dead subgraph costs a request nothing once the breaker has seen enough failures. Client errors (HTTP 4xx)
 * do not count against a subgraph.
 */
export class SubgraphPolicies {
  private readonly registry = new PolicyRegistry();
  readonly metrics: SubgraphFetchMetrics;

  constructor(
    private readonly settings: ResilienceSettings,
    metrics: Metrics,
  ) {
    this.metrics = {
      duration: metrics.histogram(
        'gateway_subgraph_fetch_duration_seconds',
        'Duration of subgraph fetches by subgraph and outcome',
        ['subgraph', 'outcome'],
        FETCH_BUCKETS,
      ),
      errors: metrics.counter('gateway_subgraph_fetch_errors_total', 'Failed subgraph fetches by reason', [
        'subgraph',
        'reason',
      ]),
      breakerState: metrics.gauge(
        'gateway_subgraph_breaker_state',
        'Breaker state per subgraph: 0 closed, 1 half-open, 2 open',
        ['subgraph'],
      ),
      deduplicated: metrics.counter(
        'gateway_subgraph_fetch_dedup_total',
        'Subgraph fetches that shared an identical query fetch of the same principal already in flight',
        ['subgraph'],
      ),
      assertions: metrics.counter(
        'gateway_subgraph_assertions_total',
        'Internal assertions taken for subgraph calls: reused while well inside their lifetime, or signed',
        ['result'],
      ),
    };
  }

  /** The shared policy of one subgraph, created on first use. */
  for(subgraph: string): Policy {
    const name = `subgraph:${subgraph}`;
    const existing = this.registry.list().find((policy) => policy.name === name);
    if (existing) return existing;
    const { breaker } = this.settings;
    const policy = this.registry.get({
      name,
      timeoutMs: this.settings.subgraphTimeoutMs,
      retry: {
        attempts: 2,
        baseDelayMs: 10,
        maxDelayMs: 50,
        isRetryable: (error) => error instanceof TransportError && RETRYABLE_CODES.has(error.code),
      },
      breaker: {
        slidingWindowSize: breaker.window,
        minimumNumberOfCalls: breaker.minCalls,
        failureRateThreshold: breaker.failureRate,
        openStateDelayMs: breaker.openMs,
        permittedNumberOfCallsInHalfOpenState: Math.min(3, breaker.minCalls),
        isFailure: countsAgainstSubgraph,
      },
    });
    this.metrics.breakerState.set({ subgraph }, 0);
    policy.onStateChange(({ to }) => this.metrics.breakerState.set({ subgraph }, BREAKER_STATE_VALUE[to]));
    return policy;
  }

  /** Every subgraph's policy created so far (for `/status`). */
  list(): Policy[] {
    return this.registry.list();
  }

  states(): Record<string, CircuitState> {
    return Object.fromEntries(this.registry.list().map((p) => [p.name, p.state().state]));
  }

  dispose(): void {
    this.registry.dispose();
  }
}

function countsAgainstSubgraph(error: unknown): boolean {
  if (error instanceof SubgraphStatusError) return error.status >= 500;
  return (
    error instanceof TransportError ||
    error instanceof ResponseTooLargeError ||
    error instanceof InvalidResponseError
  );
}

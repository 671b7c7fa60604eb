import type { Metrics } from '@atrium/platform/metrics';

type Gauge = ReturnType<Metrics['gauge']>;
type Counter = ReturnType<Metrics['counter']>;
type Histogram = ReturnType<Metrics['histogram']>;

/** The engine's series on the gateway's registry. Every label value is bounded (reasons and subgraph names). */
export interface SubscriptionMetrics {
  /** Client subscriptions being served now. */
  active: Gauge;
  /** Client WebSocket connections open now. */
  connections: Gauge;
  /** Upstream subscriptions (one per distinct operation and principal), by subgraph. */
  upstreamStreams: Gauge;
  /** Open upstream sockets, by subgraph. */
  upstreamSockets: Gauge;
  /** Upstream sockets connected again after a loss (their subscriptions resubscribed, snapshot first), by subgraph. */
  upstreamReconnects: Counter;
  /** Subscribe messages refused, by reason (validation, rate_limit, max_limit, auth…). */
  rejections: Counter;
  /** Subscriptions ended by the gateway, by reason (complete, client, jwt_expired, upstream_error…). */
  terminations: Counter;
  /** Events waiting in subscribers' queues for their sockets, read at scrape time (memory held for slow readers). */
  queuedEvents: Gauge;
  /** Events a subscriber's queue could not hold: its queue was emptied and its stream restarted from a snapshot. */
  overflows: Counter;
  /** From an event's arrival at the gateway to its hand-over to the client's socket. */
  deliveryLatency: Histogram;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** `queuedEvents` reads the engine's queues at scrape time (the engine is built after these metrics). */
export function subscriptionMetrics(metrics: Metrics, queuedEvents: () => number): SubscriptionMetrics {
  return {
    active: metrics.gauge('gateway_subscriptions_active', 'Client subscriptions being served', []),
    connections: metrics.gauge('gateway_subscription_connections', 'Open client graphql-ws connections', []),
    upstreamStreams: metrics.gauge(
      'gateway_subscription_upstream_streams',
      'Upstream subscriptions to subgraphs (shared by identical subscriptions of one principal)',
      ['subgraph'],
    ),
    upstreamSockets: metrics.gauge(
      'gateway_subscription_upstream_sockets',
      'Open graphql-ws sockets from the gateway to subgraphs',
      ['subgraph'],
    ),
    upstreamReconnects: metrics.counter(
      'gateway_subscription_reconnects_total',
      'Upstream sockets reconnected after a loss within the retry budget (subscriptions resumed from a snapshot)',
      ['subgraph'],
    ),
    rejections: metrics.counter(
      'gateway_subscription_rejections_total',
      'Subscribe messages refused before any subgraph was called, by reason',
      ['reason'],
    ),
    terminations: metrics.counter(
      'gateway_subscription_terminations_total',
      'Client subscriptions ended, by reason',
      ['reason'],
    ),
    queuedEvents: metrics.gauge(
      'gateway_subscription_queued_events',
      "Events waiting in subscribers' queues for their sockets (at most SUBSCRIPTION_QUEUE_CAPACITY each)",
      [],
      queuedEvents,
    ),
    overflows: metrics.counter(
      'gateway_subscription_queue_overflows_total',
      'Subscriber queues that overflowed and were resynchronised from a fresh snapshot',
      [],
    ),
    deliveryLatency: metrics.histogram(
      'gateway_subscription_delivery_seconds',
      'Time from an event reaching the gateway to its hand-over to the client socket',
      [],
      LATENCY_BUCKETS,
    ),
  };
}

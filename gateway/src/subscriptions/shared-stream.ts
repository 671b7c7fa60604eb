import type { ServiceMap } from '@apollo/gateway';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '@atrium/platform/logging';
import type { GatewayContext } from '../context';
import { adoptSubgraphErrors, formatGatewayError } from '../errors';
import type { SubscriptionMetrics } from './metrics';
import { primaryVariables, type SubscriptionPlan } from './planner';
import { executeEvent, shapeEvent, type DeliveredResult, type UpstreamEvent } from './rest-executor';
import type { SubscriberQueue } from './subscriber-queue';
import type { UpstreamHandle, UpstreamPool } from './upstream';

/** Why a stream ended, as counted in `gateway_subscription_terminations_total`. */
export type EndReason = 'complete' | 'upstream_rejected' | 'upstream_error' | 'schema_reload' | 'shutdown';

export interface SharedStreamDeps {
  pool: UpstreamPool;
  services: () => ServiceMap;
  /** Signs the subscriber's assertion for the owning subgraph (fresh, short-lived). */
  sign: (context: GatewayContext, subgraph: string) => Promise<string>;
  metrics: SubscriptionMetrics;
  log: Logger;
  /** Results kept so that a later identical subscription can join and still start from the snapshot. */
  replayLimit: number;
  /** Events waiting for their `rest` before the stream restarts from a fresh snapshot instead. */
  maxPending: number;
  /** How often the upstream assertion is renewed. */
  renewIntervalMs: number;
  onEnded: (stream: SharedStream) => void;
}

/**
 * One upstream subscription and everything that depends on it: identical subscriptions of one principal
 * share it. Each event runs `rest` once, in arrival order, and its result goes to every subscriber's queue.
 * The results since the upstream began are kept (up to `replayLimit`) so a subscriber joining later receives
 * exactly what a fresh upstream would have sent; past that limit the stream stops accepting joiners.
 */
export class SharedStream {
  private readonly subscribers = new Set<SubscriberQueue>();
  private replay: DeliveredResult[] | undefined = [];
  private upstream: UpstreamHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  /** Bumped on every upstream (re)start: results of an older upstream are dropped. */
  private epoch = 0;
  private renewTimer: NodeJS.Timeout | undefined;
  private ended = false;
  private readonly abort = new AbortController();
  private readonly variables: Record<string, unknown>;

  constructor(
    readonly key: string,
    readonly plan: SubscriptionPlan,
    private readonly context: GatewayContext,
    variables: Record<string, unknown> | undefined,
    private readonly deps: SharedStreamDeps,
  ) {
    this.variables = variables ?? {};
    this.context = { ...context, signal: this.abort.signal };
  }

  get joinable(): boolean {
    return !this.ended && this.replay !== undefined;
  }

  get size(): number {
    return this.subscribers.size;
  }

  async start(): Promise<void> {
    await this.openUpstream();
    // Each stream renews at its own random phase: streams opened together (thousands of subscribers connecting
    // at once, a reconnect storm) would otherwise all sign at the same instant and stall every delivery.
    const interval = this.deps.renewIntervalMs;
    this.renewTimer = setTimeout(() => {
      void this.renew();
      if (this.ended) return;
      this.renewTimer = setInterval(() => void this.renew(), interval);
      this.renewTimer.unref();
    }, Math.random() * interval);
    this.renewTimer.unref();
  }

  /** Adds a subscriber, replaying what the stream delivered so far. False if the stream can no longer be joined. */
  join(queue: SubscriberQueue): boolean {
    if (!this.joinable) return false;
    const now = process.hrtime.bigint();
    for (const result of this.replay!) queue.push(result, now);
    this.subscribers.add(queue);
    return true;
  }

  /** Removes a subscriber; the upstream closes with the last one. */
  leave(queue: SubscriberQueue): void {
    if (!this.subscribers.delete(queue)) return;
    if (this.subscribers.size === 0) this.finish();
  }

  /** Ends every subscriber with `final` (a lifecycle error) after what is already queued. */
  end(reason: EndReason, final?: GraphQLFormattedError): void {
    if (this.ended) return;
    const subscribers = [...this.subscribers];
    this.deps.metrics.terminations.inc({ reason }, subscribers.length);
    this.finish();
    for (const queue of subscribers) queue.end(final ? { errors: [final] } : undefined);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.replay = undefined;
    clearInterval(this.renewTimer);
    this.upstream?.close();
    this.upstream = undefined;
    this.abort.abort();
    this.subscribers.clear();
    this.deps.onEnded(this);
  }

  private async openUpstream(): Promise<void> {
    const epoch = ++this.epoch;
    const { plan } = this;
    const assertion = await this.deps.sign(this.context, plan.subgraph);
    if (this.ended || epoch !== this.epoch) return;
    this.upstream = this.deps.pool.subscribe(
      plan.subgraph,
      {
        query: plan.primary.operation,
        variables: primaryVariables(plan.primary, this.variables),
        operationName: plan.primary.operationName,
      },
      assertion,
      {
        next: (event) => this.onEvent(epoch, event),
        rejected: (errors) => this.afterPending(epoch, () => this.rejected(errors)),
        lost: (reason) => this.afterPending(epoch, () => this.lost(reason)),
        complete: () => this.afterPending(epoch, () => this.end('complete')),
      },
    );
  }

  private onEvent(epoch: number, event: UpstreamEvent): void {
    if (this.ended || epoch !== this.epoch) return;
    const arrivedAt = process.hrtime.bigint();
    // Nothing waits for `rest`: an event the plan shapes by itself is delivered now, still in order.
    const waiting = this.pending > 0;
    if (!waiting) {
      const shaped = shapeEvent(this.plan, event, this.variables);
      if (shaped) {
        this.deliver(shaped, arrivedAt);
        return;
      }
    }
    if (++this.pending > this.deps.maxPending) {
      // `rest` cannot keep up: drop what waits and start over from a fresh snapshot.
      this.deps.metrics.overflows.inc();
      this.restart();
      return;
    }
    this.chain = this.chain.then(async () => {
      if (this.ended || epoch !== this.epoch) return;
      const result =
        (waiting ? shapeEvent(this.plan, event, this.variables) : undefined) ??
        (await executeEvent({
          plan: this.plan,
          event,
          services: this.deps.services(),
          context: this.context,
          variables: this.variables,
          log: this.deps.log,
        }));
      this.pending--;
      if (this.ended || epoch !== this.epoch) return;
      this.deliver(result, arrivedAt);
    });
  }

  private deliver(result: DeliveredResult, arrivedAt: bigint): void {
    if (this.replay) {
      if (this.replay.length < this.deps.replayLimit) this.replay.push(result);
      else this.replay = undefined;
    }
    for (const queue of this.subscribers) {
      if (!queue.push(result, arrivedAt) && queue.accepting) this.overflowed(queue);
    }
  }

  /** A subscriber fell behind: it leaves this stream and starts again on a fresh one (snapshot first). */
  private overflowed(queue: SubscriberQueue): void {
    this.deps.metrics.overflows.inc();
    this.subscribers.delete(queue);
    if (this.subscribers.size === 0) this.finish();
    queue.overflowed();
  }

  private restart(): void {
    this.upstream?.close();
    this.upstream = undefined;
    this.pending = 0;
    this.replay = undefined;
    this.chain = Promise.resolve();
    void this.openUpstream().catch((error: unknown) => this.lost(error));
  }

  /** Runs `then` after the events already received went through `rest`, so order holds. */
  private afterPending(epoch: number, then: () => void): void {
    this.chain = this.chain.then(() => {
      if (!this.ended && epoch === this.epoch) then();
    });
  }

  private rejected(errors: unknown[]): void {
    const formatted = (adoptSubgraphErrors(errors) ?? []).map((adopted) =>
      formatGatewayError(adopted, new GraphQLError(adopted.message, { originalError: adopted as Error }), {
        log: this.deps.log,
        requestId: this.context.requestId,
      }),
    );
    const subscribers = [...this.subscribers];
    this.deps.metrics.terminations.inc({ reason: 'upstream_rejected' }, subscribers.length);
    this.finish();
    for (const queue of subscribers) queue.end({ errors: formatted });
  }

  private lost(reason: unknown): void {
    this.deps.log.warn(
      { subgraph: this.plan.subgraph, reason: describeLoss(reason) },
      'subscription upstream lost',
    );
    this.end('upstream_error', upstreamError(this.plan.subgraph, this.context.requestId));
  }

  private async renew(): Promise<void> {
    if (this.ended || !this.upstream) return;
    try {
      const assertion = await this.deps.sign(this.context, this.plan.subgraph);
      this.upstream?.renew(assertion);
    } catch (error) {
      this.deps.log.warn({ err: error }, 'could not renew an upstream assertion');
    }
  }
}

export function upstreamError(subgraph: string, requestId: string): GraphQLFormattedError {
  return {
    message: `The ${subgraph} service ended the subscription's stream`,
    extensions: { code: 'SUBSCRIPTION_UPSTREAM_ERROR', service: subgraph, requestId },
  };
}

/** A short, safe description of why an upstream was lost (a close code or an error message, never a socket). */
function describeLoss(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  const event = reason as { code?: unknown; reason?: unknown; message?: unknown } | null;
  if (typeof event?.code === 'number') return `closed ${event.code} ${String(event.reason ?? '')}`.trim();
  if (typeof event?.message === 'string') return event.message;
  return 'unknown';
}

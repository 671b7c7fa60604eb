import { createHash } from 'node:crypto';
import type { ServiceMap } from '@apollo/gateway';
import type { DocumentNode, GraphQLFormattedError } from 'graphql';
import type { Principal } from '@atrium/platform/auth';
import type { Logger } from '@atrium/platform/logging';
import type { GatewayContext } from '../context';
import type { SubscriptionMetrics } from './metrics';
import { printedOnce, type SubscriptionPlanner } from './planner';
import type { DeliveredResult } from './rest-executor';
import { SharedStream, upstreamError, type EndReason, type SharedStreamDeps } from './shared-stream';
import { SubscriberQueue, type FrameSink } from './subscriber-queue';
import type { UpstreamPool } from './upstream';

export interface EngineSettings {
  /** Events a subscriber may have waiting for its socket before it is resynchronised. */
  queueCapacity: number;
  replayLimit: number;
  maxPending: number;
  renewIntervalMs: number;
}

/** One client subscription as the socket server hands it over (already validated and within limits). */
export interface SubscriptionRequest {
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
  context: GatewayContext;
  /** Called once when the subscription is over (client stop, completion or a lifecycle end). */
  onClosed?: () => void;
}

/** A started client subscription. */
export interface ClientSubscription {
  /** The masked results, in order; yields a coded error last when the gateway ends it. */
  iterator: AsyncIterableIterator<DeliveredResult>;
  /** Ends it now with `error` as its last result (e.g. SUBSCRIPTION_JWT_EXPIRED). */
  end(error: GraphQLFormattedError, reason: string): void;
  /** Has the iterator write its `next` frames to `sink` itself (SubscriberQueue.writeFramesTo). */
  writeFramesTo(sink: FrameSink, id: string): void;
}

/**
 * Serves planned subscriptions: identical operations of one principal share one upstream stream (whose
 * `rest` runs once per event), each subscriber reads its own bounded queue. Knows no subgraph or field: any
 * subgraph that owns a subscription field works unchanged.
 */
export class SubscriptionEngine {
  private readonly streams = new Map<string, SharedStream>();
  private readonly live = new Set<SharedStream>();
  /** Every client subscription's queue, so the events waiting in them can be counted at scrape time. */
  private readonly queues = new Set<SubscriberQueue>();
  private readonly streamDeps: SharedStreamDeps;

  constructor(
    private readonly options: {
      planner: SubscriptionPlanner;
      pool: UpstreamPool;
      services: () => ServiceMap;
      sign: SharedStreamDeps['sign'];
      metrics: SubscriptionMetrics;
      log: Logger;
      settings: EngineSettings;
    },
  ) {
    const { settings } = options;
    this.streamDeps = {
      pool: options.pool,
      services: options.services,
      sign: options.sign,
      metrics: options.metrics,
      log: options.log,
      replayLimit: settings.replayLimit,
      maxPending: settings.maxPending,
      renewIntervalMs: settings.renewIntervalMs,
      onEnded: (stream) => {
        this.live.delete(stream);
        if (this.streams.get(stream.key) === stream) this.streams.delete(stream.key);
      },
    };
  }

  /** Upstream streams alive now (for tests and metrics). */
  get streamCount(): number {
    return this.live.size;
  }

  /** Events waiting in subscribers' queues now, over every subscription (bounded by capacity per subscriber). */
  queuedEvents(): number {
    let total = 0;
    for (const queue of this.queues) total += queue.size;
    return total;
  }

  /**
   * Starts a subscription: plans it (cached), joins the identical stream of the same principal or opens one.
   * The returned iterator yields masked results in order and ends with a coded error on any lifecycle end.
   */
  async subscribe(request: SubscriptionRequest): Promise<ClientSubscription> {
    const { metrics } = this.options;
    const plan = this.options.planner.plan(request.document, request.operationName);
    const key = streamKey(request, plan.schema.generation);
    let stream: SharedStream | undefined;
    const queue: SubscriberQueue = new SubscriberQueue(this.options.settings.queueCapacity, {
      onReturn: () => {
        metrics.terminations.inc({ reason: 'client' });
        stream?.leave(queue);
      },
      onClosed: () => {
        this.queues.delete(queue);
        metrics.active.dec();
        request.onClosed?.();
      },
      onDelivered: (seconds) => metrics.deliveryLatency.observe(seconds),
      onOverflow: () => void attach(true).catch((error: unknown) => this.failed(queue, error)),
      onStuck: () => {
        metrics.terminations.inc({ reason: 'slow_consumer' });
        stream = undefined;
        queue.end({
          errors: [
            {
              message: 'The client did not read its events; subscribe again to resume from a fresh snapshot',
              extensions: { code: 'SUBSCRIPTION_SLOW_CONSUMER' },
            },
          ],
        });
      },
    });
    this.queues.add(queue);
    metrics.active.inc();
    const attach = async (fresh: boolean): Promise<void> => {
      const existing = fresh ? undefined : this.streams.get(key);
      if (existing?.join(queue)) {
        stream = existing;
        return;
      }
      const created = new SharedStream(key, plan, request.context, request.variables, this.streamDeps);
      this.live.add(created);
      if (!this.streams.get(key)?.joinable) this.streams.set(key, created);
      created.join(queue);
      stream = created;
      try {
        await created.start();
      } catch (error) {
        this.options.log.error({ err: error }, 'subscription upstream could not be opened');
        created.end('upstream_error', upstreamError(plan.subgraph, request.context.requestId));
      }
    };
    try {
      await attach(false);
    } catch (error) {
      this.failed(queue, error);
    }
    return {
      iterator: queue,
      end: (error, reason) => {
        if (!queue.accepting) return;
        metrics.terminations.inc({ reason });
        stream?.leave(queue);
        queue.end({ errors: [error] });
      },
      writeFramesTo: (sink, id) => queue.writeFramesTo(sink, id),
    };
  }

  /** Ends every subscription with `error` (schema reload, shutdown). */
  endAll(reason: EndReason, error: GraphQLFormattedError): void {
    for (const stream of [...this.live]) stream.end(reason, error);
  }

  private failed(queue: SubscriberQueue, error: unknown): void {
    this.options.log.error({ err: error }, 'subscription could not be started');
    queue.end({
      errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
  }
}

/** Identical = same schema, principal, document, operation name and variables. */
function streamKey(request: SubscriptionRequest, generation: number): string {
  const text = printedOnce(request.document);
  return createHash('sha256')
    .update(
      JSON.stringify([
        generation,
        principalKey(request.context.principal),
        request.operationName ?? null,
        text,
        request.variables ?? {},
      ]),
    )
    .digest('base64url');
}

function principalKey(principal: Principal): unknown[] {
  return [
    principal.kind,
    principal.userId,
    principal.apiKeyId,
    principal.sessionId,
    [...principal.roles].sort(),
    [...principal.scopes].sort(),
  ];
}

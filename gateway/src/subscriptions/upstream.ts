import { randomUUID } from 'node:crypto';
import { createClient, type Client, type SubscribePayload } from 'graphql-ws';
import WebSocket from 'ws';
import { INTERNAL_ASSERTION_HEADER } from '@atrium/platform/auth';
import type { Logger } from '@atrium/platform/logging';
import type { UpstreamEvent } from './rest-executor';
import type { SubscriptionMetrics } from './metrics';

/** How the gateway talks graphql-ws to the subgraphs. */
export interface UpstreamSettings {
  /** The subgraph must acknowledge `connection_init` within this; otherwise the socket is retried. */
  ackTimeoutMs: number;
  /** A ping is sent this often on each upstream socket. */
  keepAliveMs: number;
  /** No pong within this after a ping: the socket is closed and reconnected. */
  pongTimeoutMs: number;
  /** A socket without subscriptions stays open this long, so a quick resubscribe reuses it. */
  lazyCloseMs: number;
  /** Reconnect attempts (with exponential backoff and jitter) before subscriptions end with an error. */
  retryAttempts: number;
  /** First reconnect delay; doubles per attempt up to 5 s, plus up to 50 % jitter. */
  retryBaseMs: number;
}

/** The callbacks of one upstream subscription. `error` and `complete` are final. */
export interface UpstreamSink {
  next(event: UpstreamEvent): void;
  /** The subgraph refused the operation with these GraphQL errors (e.g. NOT_FOUND at subscribe). */
  rejected(errors: unknown[]): void;
  /** The subgraph could not be reached again within the retry budget, or the socket failed fatally. */
  lost(reason: unknown): void;
  complete(): void;
}

export interface UpstreamHandle {
  /** Replaces the subscriber's assertion: sent now (renewal ping) and on any resubscribe after a reconnect. */
  renew(assertion: string): void;
  /** Completes the upstream subscription (the subgraph stops its stream). Idempotent. */
  close(): void;
}

interface PooledClient {
  client: Client;
  socket: WebSocket | undefined;
  /** Operation id → its extensions object (mutated on renewal, read again on resubscribe). */
  operations: Map<string, Record<string, unknown>>;
  /** Renewals not sent yet: those of one tick go out together (flushRenewals). */
  renewals: Map<string, string>;
  renewalFlush: NodeJS.Immediate | undefined;
}

/** Renewals per ping message at most, in bytes: far below the subgraph's 64 KiB message limit. */
const RENEWAL_PING_BYTES = 16 * 1024;

/**
 * Sends the renewals queued during one tick in as few `ping` messages as fit the size bound, instead of one
 * message (and one socket write) per operation. On a socket that is not open they are dropped: a resubscribe
 * after the reconnect carries the fresh assertion in its extensions already.
 */
function flushRenewals(pooled: PooledClient): void {
  pooled.renewalFlush = undefined;
  const pending = pooled.renewals;
  pooled.renewals = new Map();
  const socket = pooled.socket;
  if (socket?.readyState !== WebSocket.OPEN) return;
  let batch: Record<string, string> = {};
  let bytes = 0;
  const send = () => {
    socket.send(JSON.stringify({ type: 'ping', payload: { [RENEW_PING_KEY]: batch } }));
    batch = {};
    bytes = 0;
  };
  for (const [id, token] of pending) {
    if (!pooled.operations.has(id)) continue;
    batch[id] = token;
    bytes += id.length + token.length + 8;
    if (bytes >= RENEWAL_PING_BYTES) send();
  }
  if (bytes > 0) send();
}

export const RENEW_PING_KEY = 'atriumRenew';

/**
 * One lazy graphql-ws client per subgraph, shared by every subscription to it: each operation carries its own
 * subscriber's internal assertion in `extensions`, the socket itself authenticates the gateway. The socket opens
 * on the first subscription and closes `lazyCloseMs` after the last one; keepalive pings with a pong timeout
 * detect a frozen subgraph; a lost socket is retried with backoff and its subscriptions resubscribed
 * (snapshot-first upstreams make that lossless for clients).
 */
export class UpstreamPool {
  private readonly clients = new Map<string, PooledClient>();
  private closed = false;

  constructor(
    private readonly options: {
      urls: Readonly<Record<string, string>>;
      /** The assertion of the gateway's own socket (`connection_init`). */
      connectionAssertion: (subgraph: string) => Promise<string>;
      settings: UpstreamSettings;
      metrics: SubscriptionMetrics;
      log: Logger;
    },
  ) {}

  subscribe(
    subgraph: string,
    request: { query: string; variables: Record<string, unknown>; operationName: string | undefined },
    assertion: string,
    sink: UpstreamSink,
  ): UpstreamHandle {
    if (this.closed) throw new Error('upstream pool is closed');
    const pooled = this.clientFor(subgraph);
    const id = randomUUID();
    const extensions: Record<string, unknown> = { [INTERNAL_ASSERTION_HEADER]: assertion, operationId: id };
    pooled.operations.set(id, extensions);
    this.options.metrics.upstreamStreams.inc({ subgraph });
    const payload: SubscribePayload = {
      query: request.query,
      variables: request.variables,
      ...(request.operationName ? { operationName: request.operationName } : {}),
      extensions,
    };
    let finished = false;
    const finish = () => {
      if (finished) return false;
      finished = true;
      pooled.operations.delete(id);
      this.options.metrics.upstreamStreams.dec({ subgraph });
      return true;
    };
    const unsubscribe = pooled.client.subscribe<Record<string, unknown>>(payload, {
      next: (value) => {
        if (!finished) sink.next(value as UpstreamEvent);
      },
      error: (error) => {
        if (!finish()) return;
        if (Array.isArray(error)) sink.rejected(error);
        else sink.lost(error);
      },
      complete: () => {
        if (finish()) sink.complete();
      },
    });
    return {
      renew: (fresh) => {
        extensions[INTERNAL_ASSERTION_HEADER] = fresh;
        if (finished) return;
        pooled.renewals.set(id, fresh);
        pooled.renewalFlush ??= setImmediate(() => flushRenewals(pooled));
      },
      close: () => {
        if (finish()) unsubscribe();
      },
    };
  }

  /** Open upstream sockets (for metrics and leak tests). */
  openSockets(): number {
    let open = 0;
    for (const pooled of this.clients.values()) if (pooled.socket) open++;
    return open;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pooled of this.clients.values()) clearImmediate(pooled.renewalFlush);
    await Promise.all([...this.clients.values()].map((pooled) => pooled.client.dispose()));
    this.clients.clear();
  }

  private clientFor(subgraph: string): PooledClient {
    const existing = this.clients.get(subgraph);
    if (existing) return existing;
    const url = this.options.urls[subgraph];
    if (!url) throw new Error(`no URL for subgraph ${subgraph}`);
    const { settings, metrics, log } = this.options;
    let pongTimer: NodeJS.Timeout | undefined;
    const pooled: PooledClient = {
      client: undefined as unknown as Client,
      socket: undefined,
      operations: new Map(),
      renewals: new Map(),
      renewalFlush: undefined,
    };
    pooled.client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: true,
      lazyCloseTimeout: settings.lazyCloseMs,
      keepAlive: settings.keepAliveMs,
      connectionAckWaitTimeout: settings.ackTimeoutMs,
      retryAttempts: settings.retryAttempts,
      shouldRetry: () => true,
      retryWait: async (retries) => {
        const base = Math.min(settings.retryBaseMs * 2 ** retries, 5000);
        await new Promise((resolve) => setTimeout(resolve, base + Math.random() * base * 0.5));
      },
      connectionParams: async () => ({
        [INTERNAL_ASSERTION_HEADER]: await this.options.connectionAssertion(subgraph),
      }),
      on: {
        connected: (socket, _payload, wasRetry) => {
          pooled.socket = socket as WebSocket;
          metrics.upstreamSockets.inc({ subgraph });
          if (wasRetry) {
            metrics.upstreamReconnects.inc({ subgraph });
            log.info({ subgraph }, 'upstream subscription socket reconnected; subscriptions resumed');
          }
        },
        closed: (event) => {
          clearTimeout(pongTimer);
          if (pooled.socket) metrics.upstreamSockets.dec({ subgraph });
          pooled.socket = undefined;
          const closeCode = (event as { code?: number } | undefined)?.code;
          if (pooled.operations.size > 0)
            log.warn({ subgraph, closeCode }, 'upstream subscription socket closed');
        },
        ping: (received) => {
          if (received) return;
          clearTimeout(pongTimer);
          pongTimer = setTimeout(() => {
            log.warn({ subgraph }, 'upstream subscription socket missed its pong; reconnecting');
            pooled.socket?.terminate();
          }, settings.pongTimeoutMs);
          pongTimer.unref();
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
      },
    });
    this.clients.set(subgraph, pooled);
    return pooled;
  }
}

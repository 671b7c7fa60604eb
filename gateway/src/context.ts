import type { Principal } from '@atrium/platform/auth';
import type { Logger } from '@atrium/platform/logging';
import type { StopSignal } from '@atrium/platform/resilience';
import type { Tracer } from '@atrium/platform/tracing';

/** Per-request context of the gateway: who is calling, for the data sources that sign their assertions. */
export interface GatewayContext {
  principal: Principal;
  requestId: string;
  /** W3C trace id the request continues (subgraph calls carry it in `traceparent`); undefined: a new trace. */
  traceId?: string;
  /** The gateway's span of this request when spans are exported (its subgraph calls are its children). */
  spanId?: string;
  /** The gateway's tracer when spans are exported (OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracer?: Tracer;
  /** Logs with the request's id (the gateway runs without AsyncLocalStorage, so the root logger cannot). */
  log: Logger;
  /** The client's address as the gateway saw it (behind TRUST_PROXY_HOPS proxies); undefined outside HTTP. */
  clientIp?: string;
  /** The client's User-Agent header, if any. */
  userAgent?: string;
  /**
   * Aborts when the request's deadline passes (reason: RequestDeadlineError) or the client goes away (reason:
   * ClientClosedError); every subgraph call of the request stops then. An AbortSignal, or over HTTP a cheaper
   * Stop: it only ever reaches the gateway's own subgraph calls.
   */
  signal?: StopSignal;
}

/** The whole-request deadline (REQUEST_DEADLINE_MS) passed. */
export class RequestDeadlineError extends Error {
  readonly code = 'REQUEST_DEADLINE';
  constructor(readonly deadlineMs: number) {
    super(`request deadline of ${deadlineMs} ms passed`);
    this.name = 'RequestDeadlineError';
  }
}

/** The client closed its connection before the answer was written. */
export class ClientClosedError extends Error {
  readonly code = 'CLIENT_CLOSED';
  constructor() {
    super('client closed the connection');
    this.name = 'ClientClosedError';
  }
}

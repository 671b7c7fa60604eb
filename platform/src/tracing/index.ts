import { randomBytes } from 'node:crypto';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Attributes,
  type Context,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import type { RequestHandler } from 'express';
import { currentRequestContext, runWithRequestContext, type RequestContext } from '../logging';

export { SpanKind, type Tracer };

export interface TracingOptions {
  /** `service.name` of every span. */
  service: string;
  version?: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: spans go to `<endpoint>/v1/traces` (OTLP/HTTP, JSON). Unset: no spans at all. */
  endpoint: string | undefined;
}

export interface Tracing {
  /** Undefined when export is off: every helper then just runs its function (one check on the hot path). */
  readonly tracer: Tracer | undefined;
  /** Exports what is buffered, then stops. */
  shutdown(): Promise<void>;
}

// A root span takes the trace id its request already has (the correlation id every log line carries), so the
// logs and the trace of one request share one id. startSpan is synchronous, so the id set just before it is the
// one it asks for; children inherit their parent's and never ask.
let rootTraceId: string | undefined;
const idGenerator: IdGenerator = {
  generateTraceId: () => rootTraceId ?? randomBytes(16).toString('hex'),
  generateSpanId: () => randomBytes(8).toString('hex'),
};

function startSpan(
  tracer: Tracer,
  name: string,
  kind: SpanKind,
  context: SpanParent,
  attributes?: Attributes,
) {
  rootTraceId = context.traceId;
  try {
    return tracer.startSpan(name, { kind, attributes }, parentOf(context));
  } finally {
    rootTraceId = undefined;
  }
}

/** What a new span needs of its request: the trace, the current span (its parent) and the tracer. */
export type SpanParent = Pick<RequestContext, 'traceId' | 'spanId' | 'tracer'>;

/**
 * One tracer provider per service (not the global one: the in-process test stack runs several services in one
 * process). Spans are batched and exported over OTLP/HTTP; an unreachable collector loses spans, never requests.
 */
export function createTracing(options: TracingOptions): Tracing {
  if (!options.endpoint) return { tracer: undefined, shutdown: async () => undefined };
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: new Resource({
      'service.name': options.service,
      ...(options.version && { 'service.version': options.version }),
    }),
    idGenerator,
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 })],
  });
  return { tracer: provider.getTracer('atrium'), shutdown: () => provider.shutdown() };
}

/** The OpenTelemetry parent of a new span: the request's current span (its own, or its caller's). */
function parentOf(context: SpanParent): Context {
  if (!context.traceId || !context.spanId) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: context.traceId,
    spanId: context.spanId,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/**
 * Runs `fn` in a new span, child of `context`'s current span, handing `fn` the context with the new span current
 * (for a service that carries its request context explicitly, like the gateway). Without a tracer, `fn(context)`.
 */
export async function spanIn<C extends SpanParent, T>(
  context: C | undefined,
  name: string,
  kind: SpanKind,
  fn: (traced: C | undefined) => Promise<T>,
  attributes?: Attributes,
): Promise<T> {
  const tracer = context?.tracer;
  if (!context || !tracer) return fn(context);
  const span = startSpan(tracer, name, kind, context, attributes);
  const { traceId, spanId } = span.spanContext();
  try {
    return await fn({ ...context, traceId, spanId });
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * `spanIn` on the current request's AsyncLocalStorage context: everything `fn` starts sees the new span as
 * current (its outgoing `traceparent` names it). Outside a traced request, runs `fn`.
 */
export function inSpan<T>(
  name: string,
  kind: SpanKind,
  fn: () => Promise<T>,
  attributes?: Attributes,
): Promise<T> {
  return spanIn(
    currentRequestContext(),
    name,
    kind,
    (traced) => (traced ? runWithRequestContext(traced, fn) : fn()),
    attributes,
  );
}

/**
 * Express middleware (after the request-id middleware): a SERVER span per request, child of the caller's span,
 * ended when the response is done. The span becomes current in the request's AsyncLocalStorage context, and in
 * `res.locals` (`traceId`, `spanId`, `tracer`) for a service without one (the gateway).
 */
export function tracingMiddleware(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    const context = currentRequestContext();
    const parent: SpanParent = context ?? {
      traceId: res.locals.traceId as string | undefined,
      spanId: res.locals.spanId as string | undefined,
    };
    const span = startSpan(tracer, `${req.method} ${req.path}`, SpanKind.SERVER, parent, {
      'http.request.method': req.method,
      'url.path': req.path,
    });
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    const { traceId, spanId } = span.spanContext();
    Object.assign(res.locals, { traceId, spanId, tracer });
    if (context) runWithRequestContext({ ...context, traceId, spanId, tracer }, () => next());
    else next();
  };
}

// Where a gateway's slow requests spend their time, seen from inside the gateway (preloaded by probe.ts):
// each request's span from its parsed headers to its finished response (diagnostics_channel, the same for both
// gateways), each outgoing subgraph call to its response headers, each GC pause and each event-loop stall. For
// the slowest requests of a window it sums what overlapped them, so a p99 can be blamed on GC, on a blocked
// loop, on a slow subgraph, or on nothing inside the gateway (then the time was spent before or after it).
import { subscribe } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';

interface Span {
  start: number;
  end: number;
}

export interface TailWindow {
  /** Gateway-side request durations (headers parsed → response finished), ms. */
  server: { count: number; p50: number; p99: number; max: number };
  /** Subgraph calls, request sent → response headers, ms. */
  subgraph: { count: number; p50: number; p99: number; max: number };
  /** The slowest 2 % of requests (at least one): medians of what overlapped each of them, ms. */
  slowest: { count: number; durationMs: number; gcMs: number; stallMs: number; longestSubgraphMs: number };
}

// A timer this often; a tick later than STALL_MS beyond it is a stall (the loop was busy or the process not run).
const TICK_MS = 5;
const STALL_MS = 5;

export function startTailRecorder(): { take(): TailWindow; gc(start: number, duration: number): void } {
  let requests: Span[] = [];
  let calls: Span[] = [];
  let pauses: Span[] = [];
  let stalls: Span[] = [];
  const serverStarts = new WeakMap<object, number>();
  const clientStarts = new WeakMap<object, number>();
  subscribe('http.server.request.start', (message) => {
    serverStarts.set((message as { response: object }).response, performance.now());
  });
  subscribe('http.server.response.finish', (message) => {
    const start = serverStarts.get((message as { response: object }).response);
    if (start !== undefined) requests.push({ start, end: performance.now() });
  });
  // Subgraph calls: node:http (stock's fetch) and undici (Atrium's client) publish on different channels.
  subscribe('undici:request:create', (message) => {
    clientStarts.set((message as { request: object }).request, performance.now());
  });
  subscribe('undici:request:headers', (message) => {
    const start = clientStarts.get((message as { request: object }).request);
    if (start !== undefined) calls.push({ start, end: performance.now() });
  });
  subscribe('http.client.request.start', (message) => {
    clientStarts.set((message as { request: object }).request, performance.now());
  });
  subscribe('http.client.response.finish', (message) => {
    const start = clientStarts.get((message as { request: object }).request);
    if (start !== undefined) calls.push({ start, end: performance.now() });
  });
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > TICK_MS + STALL_MS) stalls.push({ start: last + TICK_MS, end: now });
    last = now;
  }, TICK_MS).unref();

  return {
    gc(start, duration) {
      pauses.push({ start, end: start + duration });
    },
    take() {
      const byDuration = [...requests].sort((a, b) => length(b) - length(a));
      const slow = byDuration.slice(0, Math.max(1, Math.ceil(byDuration.length * 0.02)));
      const attributions = slow.map((request) => ({
        durationMs: length(request),
        gcMs: overlap(request, pauses),
        stallMs: overlap(request, stalls),
        longestSubgraphMs: Math.max(
          0,
          ...calls.filter((c) => c.start >= request.start && c.end <= request.end).map(length),
        ),
      }));
      const median = (key: keyof (typeof attributions)[number]) =>
        round(
          percentile(
            attributions.map((a) => a[key]),
            0.5,
          ),
        );
      const window: TailWindow = {
        server: summary(requests.map(length)),
        subgraph: summary(calls.map(length)),
        slowest: {
          count: slow.length,
          durationMs: median('durationMs'),
          gcMs: median('gcMs'),
          stallMs: median('stallMs'),
          longestSubgraphMs: median('longestSubgraphMs'),
        },
      };
      requests = [];
      calls = [];
      pauses = [];
      stalls = [];
      return window;
    },
  };
}

const length = (span: Span) => span.end - span.start;
const round = (ms: number) => Math.round(ms * 100) / 100;

function overlap(span: Span, others: Span[]): number {
  let total = 0;
  for (const other of others)
    total += Math.max(0, Math.min(span.end, other.end) - Math.max(span.start, other.start));
  return total;
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summary(values: number[]): TailWindow['server'] {
  return {
    count: values.length,
    p50: round(percentile(values, 0.5)),
    p99: round(percentile(values, 0.99)),
    max: round(Math.max(0, ...values)),
  };
}

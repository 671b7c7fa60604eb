import { Agent, request } from 'node:http';

/**
 * One unit of work the load generators repeat: resolves when its answer is complete and valid. `slot` is the
 * closed loop's worker index or the open loop's request number (e.g. to pick a user).
 */
export type Operation = (slot?: number) => Promise<void>;

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface OpenLoopResult extends Percentiles {
  rate: number;
  sent: number;
  errors: number;
  /** How late the client itself sent requests (its own loop or CPU busy): p99 ms after the due time. */
  sendLagP99: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs JSON over keep-alive sockets; rejects on a non-200 status or a GraphQL error. */
export function postJson(url: string, body: string, headers: Record<string, string> = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
    });
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
        const parsed = JSON.parse(text) as { errors?: unknown[] };
        if (parsed.errors?.length) return reject(new Error(`GraphQL errors: ${text.slice(0, 300)}`));
        resolve(parsed);
      });
    });
    req.end(body);
  });
}

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(sorted[sorted.length - 1] ?? NaN) };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * Open loop at a fixed rate: request i is due at start + i/rate whether or not earlier ones finished, and its
 * latency counts from when it was due, so a stall shows in the percentiles instead of slowing the sender down
 * (no coordinated omission).
 */
export async function openLoop(
  operation: Operation,
  rate: number,
  durationMs: number,
): Promise<OpenLoopResult> {
  const total = Math.round((rate * durationMs) / 1000);
  const latencies: number[] = [];
  let errors = 0;
  const lags: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    lags.push(Math.max(0, performance.now() - due));
    pending.push(
      operation(i).then(
        () => void latencies.push(performance.now() - due),
        () => void errors++,
      ),
    );
  }
  await Promise.all(pending);
  return { rate, sent: total, errors, ...percentiles(latencies), sendLagP99: percentiles(lags).p99 };
}

/** Closed loop: `concurrency` workers repeat the operation back to back for `durationMs`. */
export async function closedLoop(
  operation: Operation,
  concurrency: number,
  durationMs: number,
): Promise<{ completed: number; errors: number; seconds: number; firstError?: string }> {
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + durationMs;
  const worker = async (_: unknown, index: number) => {
    while (performance.now() < end) {
      try {
        await operation(index);
        completed++;
      } catch (error) {
        errors++;
        firstError ??= String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { completed, errors, seconds: (performance.now() - start) / 1000, firstError };
}

/** Closed loop over a fixed amount of work: `concurrency` workers share `total` requests (CPU per request A/B). */
export async function countedLoop(
  operation: Operation,
  concurrency: number,
  total: number,
): Promise<{ completed: number; errors: number; seconds: number; firstError?: string }> {
  let started = 0;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const worker = async (_: unknown, index: number) => {
    while (started < total) {
      started++;
      try {
        await operation(index);
        completed++;
      } catch (error) {
        errors++;
        firstError ??= String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { completed, errors, seconds: (performance.now() - start) / 1000, firstError };
}

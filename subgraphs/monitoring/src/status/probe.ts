import type { StatusCheck, StatusDocument } from '@atrium/platform/health';
import { HealthStatus } from './system-status.type';

export interface ProbeTarget {
  /** How the service is shown (gateway, identity, generation-worker…). */
  name: string;
  /** Base URL of the service; its `/status` is read. */
  url: string;
}

/** What one poll learnt about one service, as plain JSON (it travels through the cache and the event bus). */
export interface ServiceProbe {
  name: string;
  status: HealthStatus;
  /** false when it did not answer or answered `fail` (a dependency down, shutting down). */
  ready: boolean;
  version: string;
  uptimeSeconds: number;
  checkedAt: string;
  /** Why it is not UP, in one line. */
  reason: string | null;
  dependencies: Array<{
    name: string;
    kind: string;
    status: HealthStatus;
    latencyMs: number | null;
    message: string | null;
  }>;
  breakers: Array<{ name: string; state: string; failureRate: number | null; openedAt: string | null }>;
  queues: Array<{
    name: string;
    waiting: number;
    active: number;
    delayed: number;
    failed: number;
    completed: number;
    oldestWaitingSeconds: number | null;
  }>;
  counters: Record<string, number>;
}

/**
 * Reads a service's IETF health document (`GET /status`), bounded by `timeoutMs` for the whole exchange, so one
 * frozen service costs a poll at most that long. No answer, or no health document, is DOWN; `fail` or `warn`
 * (a breaker not closed, an unreadable queue) is DEGRADED; `pass` is UP.
 */
export async function probeService(target: ProbeTarget, timeoutMs: number): Promise<ServiceProbe> {
  const checkedAt = new Date().toISOString();
  let document: StatusDocument;
  try {
    const response = await fetch(new URL('/status', target.url), { signal: AbortSignal.timeout(timeoutMs) });
    document = (await response.json()) as StatusDocument;
    if (!document || typeof document.checks !== 'object') throw new Error('not a health document');
  } catch (error) {
    return unreachable(target, checkedAt, describe(error));
  }
  const entries = Object.values(document.checks).flat();
  const ready = document.status !== 'fail';
  return {
    name: target.name,
    status: document.status === 'pass' ? HealthStatus.UP : HealthStatus.DEGRADED,
    ready,
    version: document.releaseId ?? document.version ?? 'unknown',
    uptimeSeconds: numberOr(entries.find((entry) => entry.componentType === 'system')?.observedValue, 0),
    checkedAt,
    reason: document.status === 'pass' ? null : (document.output ?? document.status),
    dependencies: entries.filter(isDependency).map((entry) => ({
      name: entry.componentId,
      kind: entry.componentType,
      status: entry.status === 'pass' ? HealthStatus.UP : HealthStatus.DOWN,
      latencyMs: entry.componentType === 'queue' ? null : numberOr(entry.observedValue, null),
      message: typeof entry.output === 'string' ? entry.output : null,
    })),
    breakers: entries
      .filter((entry) => entry.componentType === 'circuitBreaker')
      .map((entry) => ({
        name: entry.componentId,
        state: String(entry.observedValue),
        failureRate: numberOr(entry.failureRate, null),
        openedAt: typeof entry.openedAt === 'string' ? entry.openedAt : null,
      })),
    queues: entries
      .filter((entry) => entry.componentType === 'queue' && entry.status === 'pass')
      .map((entry) => ({
        name: entry.componentId,
        waiting: numberOr(entry.waiting, 0),
        active: numberOr(entry.active, 0),
        delayed: numberOr(entry.delayed, 0),
        failed: numberOr(entry.failed, 0),
        completed: numberOr(entry.completed, 0),
        oldestWaitingSeconds: numberOr(entry.oldestWaitingSeconds, null),
      })),
    counters: Object.fromEntries(
      entries
        .filter((entry) => entry.componentType === 'counter')
        .map((entry) => [entry.componentId, numberOr(entry.observedValue, 0)]),
    ),
  };
}

function isDependency(entry: StatusCheck): boolean {
  return !['system', 'circuitBreaker', 'counter'].includes(entry.componentType);
}

function unreachable(target: ProbeTarget, checkedAt: string, message: string): ServiceProbe {
  return {
    name: target.name,
    status: HealthStatus.DOWN,
    ready: false,
    version: 'unknown',
    uptimeSeconds: 0,
    checkedAt,
    reason: message,
    dependencies: [{ name: 'http', kind: 'http', status: HealthStatus.DOWN, latencyMs: null, message }],
    breakers: [],
    queues: [],
    counters: {},
  };
}

// Only a fixed phrase: a fetch error's cause may carry the target's address, which is not for clients.
// Read by name: fetch's DOMException is not an `Error` of every realm (Jest's sandbox, for one).
function describe(error: unknown): string {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
  if (name === 'SyntaxError' || message === 'not a health document') return 'not a health document';
  return 'unreachable';
}

function numberOr<T>(value: unknown, fallback: T): number | T {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

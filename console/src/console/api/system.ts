export type HealthStatus = 'UP' | 'DEGRADED' | 'DOWN';

export interface SystemStatus {
  status: HealthStatus;
  checkedAt: string;
  services: {
    name: string;
    status: HealthStatus;
    version: string;
    uptimeSeconds: number;
    dependencies: {
      name: string;
      kind: string;
      status: HealthStatus;
      latencyMs?: number | null;
      message?: string | null;
    }[];
  }[];
  circuitBreakers: { service: string; name: string; state: string; failureRate?: number | null }[];
  queues: {
    name: string;
    waiting: number;
    active: number;
    delayed: number;
    failed: number;
    completed: number;
  }[];
}

export interface Alert {
  id: string;
  rule: string;
  severity: 'INFO' | 'WARNING' | 'CRITICAL';
  state: 'FIRING' | 'RESOLVED';
  summary: string;
  service?: string | null;
  startedAt: string;
  resolvedAt?: string | null;
}

export const STATUS_FIELDS = `status checkedAt
  services { name status version uptimeSeconds dependencies { name kind status latencyMs message } }
  circuitBreakers { service name state failureRate }
  queues { name waiting active delayed failed completed }`;

export const ALERT_FIELDS = 'id rule severity state summary service startedAt resolvedAt';

export interface HistoryPoint {
  at: number;
  /** Jobs waiting or running, over every queue. */
  queueDepth: number;
  /** 95th percentile of the latest probe latencies of every service and dependency, in ms. */
  p95LatencyMs: number;
}

/** How much history the chart keeps: the last ten minutes at most. */
const HISTORY_MS = 10 * 60_000;

export function historyPoint(
  status: SystemStatus,
  at = Date.parse(status.checkedAt) || Date.now(),
): HistoryPoint {
  const latencies = status.services
    .flatMap((service) => service.dependencies.map((dependency) => dependency.latencyMs))
    .filter((latency): latency is number => typeof latency === 'number')
    .sort((a, b) => a - b);
  const p95 = latencies.length
    ? latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.95) - 1)]!
    : 0;
  return {
    at,
    queueDepth: status.queues.reduce((sum, queue) => sum + queue.waiting + queue.active, 0),
    p95LatencyMs: p95,
  };
}

export function appendHistory(history: HistoryPoint[], point: HistoryPoint): HistoryPoint[] {
  return [...history.filter((p) => p.at > point.at - HISTORY_MS && p.at !== point.at), point];
}

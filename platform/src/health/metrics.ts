import { Gauge } from 'prom-client';
import { metricName, type Metrics } from '../metrics';
import type { HealthRegistry } from './index';

const BREAKER_STATE_VALUE = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 } as const;
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * Ties a process's health and metrics together, once per process (the shell calls it): `/metrics` gets gauges
 * read at scrape time for readiness, every registered breaker and every registered queue, so Prometheus rules can
 * alert on exactly what the monitoring subgraph alerts on; `/status` gets the GraphQL operation and error counts
 * the monitoring error-rate rule reads. Label values are bounded: breaker and queue names come from code.
 */
export function connectHealthAndMetrics(health: HealthRegistry, metrics: Metrics): void {
  const registers = [metrics.registry];
  if (metrics.registry.getSingleMetric(metricName('ready')) !== undefined) return;
  health.registerCounter('graphql.operations', async () => (await metrics.operationCounts()).operations);
  health.registerCounter('graphql.errors', async () => (await metrics.operationCounts()).errors);
  new Gauge({
    name: metricName('ready'),
    help: '1 while the process is ready (every dependency check passes and it is not shutting down), else 0',
    registers,
    async collect() {
      this.set((await health.report()).status === 'UP' ? 1 : 0);
    },
  });
  new Gauge({
    name: metricName('circuit_breaker_state'),
    help: 'State of each circuit breaker: 0 closed, 1 half-open, 2 open',
    labelNames: ['breaker'],
    registers,
    collect() {
      this.reset();
      for (const breaker of health.breakers())
        this.set({ breaker: breaker.name }, BREAKER_STATE_VALUE[breaker.state]);
    },
  });
  new Gauge({
    name: metricName('queue_jobs'),
    help: 'Jobs in each queue by state (waiting, active, delayed, failed, completed)',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      this.reset();
      for (const { name, counts } of await health.queueCounts()) {
        for (const state of QUEUE_STATES) if (counts) this.set({ queue: name, state }, counts[state]);
      }
    },
  });
  new Gauge({
    name: metricName('queue_oldest_waiting_seconds'),
    help: 'Age of the oldest job waiting in each queue; 0 when none waits',
    labelNames: ['queue'],
    registers,
    async collect() {
      this.reset();
      for (const { name, counts } of await health.queueCounts()) {
        if (counts) this.set({ queue: name }, counts.oldestWaitingSeconds ?? 0);
      }
    },
  });
}

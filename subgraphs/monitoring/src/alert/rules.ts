import type { StatusSnapshot } from '../status/snapshot';
import { AlertSeverity } from './alert.entity';

/** Thresholds of the alert rules (MONITORING_ALERT_* variables); a 0 threshold turns a counting rule off. */
export interface AlertRulesConfig {
  /** A service unreachable or not ready for this long fires `service-down`. */
  serviceDownSeconds: number;
  /** A breaker OPEN for this long fires `breaker-open`. */
  breakerOpenSeconds: number;
  /** A queue whose oldest waiting job is older than this fires `queue-backlog`; 0 = off. */
  queueWaitSeconds: number;
  /** Failed GraphQL operations above this percent of a service's operations fire `error-rate`; 0 = off. */
  errorRatePercent: number;
  /** Below this many operations in the window, `error-rate` stays quiet (a single failure is not a rate). */
  errorRateMinOperations: number;
  /** Window of the rate and count rules. */
  windowSeconds: number;
  /** This many refresh-token reuses in the window fire `refresh-token-reuse`; 0 = off. */
  refreshTokenReuseCount: number;
  /** This many failed sign-ins in the window fire `sign-in-failures`; 0 = off. */
  signInFailureCount: number;
}

/** A condition the rules see now; it becomes a FIRING alert once it has held for its rule's duration. */
export interface AlertCondition {
  /** Identifies the condition across polls, e.g. `service-down:identity`; one FIRING alert per key at most. */
  key: string;
  rule: string;
  severity: AlertSeverity;
  service: string | null;
  summary: string;
  /** How long it must hold before it fires. */
  forSeconds: number;
}

/** Counter names services publish in `/status` (platform registers them; identity counts its audit events). */
export const COUNTERS = {
  operations: 'graphql.operations',
  errors: 'graphql.errors',
  refreshTokenReuse: 'audit.refresh_token.reused',
  signInFailed: 'audit.signin.failed',
} as const;

/** What the rules remember between polls; JSON, kept in the shared cache so any replica can poll next. */
export interface RulesMemory {
  /** Since when (ms) each condition key has held without a break. */
  pendingSince: Record<string, number>;
  /** Counter samples per `service/counter`, oldest first, trimmed to the window. */
  samples: Record<string, Array<[at: number, value: number]>>;
}

export const EMPTY_MEMORY: RulesMemory = { pendingSince: {}, samples: {} };

/** The conditions that hold in `snapshot` (before their durations). */
export function observe(snapshot: StatusSnapshot, config: AlertRulesConfig): AlertCondition[] {
  const conditions: AlertCondition[] = [];
  for (const service of snapshot.services) {
    if (!service.ready) {
      conditions.push({
        key: `service-down:${service.name}`,
        rule: 'service-down',
        severity: AlertSeverity.CRITICAL,
        service: service.name,
        summary: `${service.name} is ${service.status === 'DOWN' ? 'down' : 'not ready'}: ${service.reason ?? 'no reason given'}`,
        forSeconds: config.serviceDownSeconds,
      });
    }
    for (const breaker of service.breakers.filter((b) => b.state === 'OPEN')) {
      conditions.push({
        key: `breaker-open:${service.name}:${breaker.name}`,
        rule: 'breaker-open',
        severity: AlertSeverity.WARNING,
        service: service.name,
        summary: `${service.name}: circuit breaker ${breaker.name} is open`,
        forSeconds: config.breakerOpenSeconds,
      });
    }
  }
  if (config.queueWaitSeconds > 0) {
    const seen = new Set<string>();
    for (const service of snapshot.services) {
      for (const queue of service.queues) {
        const age = queue.oldestWaitingSeconds ?? 0;
        if (seen.has(queue.name) || age <= config.queueWaitSeconds) continue;
        seen.add(queue.name);
        conditions.push({
          key: `queue-backlog:${queue.name}`,
          rule: 'queue-backlog',
          severity: AlertSeverity.WARNING,
          service: service.name,
          summary: `queue ${queue.name}: the oldest waiting job has waited ${Math.round(age)} s (limit ${config.queueWaitSeconds} s)`,
          forSeconds: 0,
        });
      }
    }
  }
  return conditions;
}

/**
 * One poll of the rules: the conditions of `snapshot` plus the rate and count rules over the counter samples,
 * then the duration of each. Returns the conditions that fire now and the memory for the next poll.
 */
export function evaluate(
  snapshot: StatusSnapshot,
  config: AlertRulesConfig,
  memory: RulesMemory,
  now: number,
): { firing: AlertCondition[]; memory: RulesMemory } {
  const samples = recordSamples(snapshot, memory.samples, now, config.windowSeconds * 1000);
  const conditions = [...observe(snapshot, config), ...rateConditions(snapshot, samples, config)];
  const pendingSince: Record<string, number> = {};
  const firing: AlertCondition[] = [];
  for (const condition of conditions) {
    const since = memory.pendingSince[condition.key] ?? now;
    pendingSince[condition.key] = since;
    if (now - since >= condition.forSeconds * 1000) firing.push(condition);
  }
  return { firing, memory: { pendingSince, samples } };
}

function recordSamples(
  snapshot: StatusSnapshot,
  previous: RulesMemory['samples'],
  now: number,
  windowMs: number,
): RulesMemory['samples'] {
  const samples: RulesMemory['samples'] = {};
  for (const service of snapshot.services) {
    for (const [counter, value] of Object.entries(service.counters)) {
      const key = `${service.name}/${counter}`;
      // One sample just outside the window is kept: it is the baseline of the increase within the window.
      const kept = (previous[key] ?? []).filter(([at]) => at >= now - windowMs);
      const baseline = (previous[key] ?? []).filter(([at]) => at < now - windowMs).at(-1);
      samples[key] = [...(baseline ? [baseline] : []), ...kept, [now, value]];
    }
  }
  return samples;
}

/** How much a counter grew over its samples; a restart (a smaller value) counts from zero. */
function increase(series: Array<[number, number]> | undefined): number {
  if (!series || series.length < 2) return 0;
  let total = 0;
  for (let i = 1; i < series.length; i++) {
    const before = series[i - 1]![1];
    const after = series[i]![1];
    total += after >= before ? after - before : after;
  }
  return total;
}

function rateConditions(
  snapshot: StatusSnapshot,
  samples: RulesMemory['samples'],
  config: AlertRulesConfig,
): AlertCondition[] {
  const conditions: AlertCondition[] = [];
  const window = `${config.windowSeconds} s`;
  for (const { name } of snapshot.services) {
    const operations = increase(samples[`${name}/${COUNTERS.operations}`]);
    const errors = increase(samples[`${name}/${COUNTERS.errors}`]);
    const percent = operations > 0 ? (errors / operations) * 100 : 0;
    if (
      config.errorRatePercent > 0 &&
      operations >= config.errorRateMinOperations &&
      percent > config.errorRatePercent
    ) {
      conditions.push({
        key: `error-rate:${name}`,
        rule: 'error-rate',
        severity: AlertSeverity.CRITICAL,
        service: name,
        summary: `${name}: ${percent.toFixed(1)} % of ${operations} operations failed in the last ${window} (limit ${config.errorRatePercent} %)`,
        forSeconds: 0,
      });
    }
    const counted: Array<[string, string, number, string]> = [
      [
        COUNTERS.refreshTokenReuse,
        'refresh-token-reuse',
        config.refreshTokenReuseCount,
        'refresh-token reuses',
      ],
      [COUNTERS.signInFailed, 'sign-in-failures', config.signInFailureCount, 'failed sign-ins'],
    ];
    for (const [counter, rule, limit, what] of counted) {
      const count = increase(samples[`${name}/${counter}`]);
      if (limit > 0 && count >= limit) {
        conditions.push({
          key: `${rule}:${name}`,
          rule,
          severity: AlertSeverity.WARNING,
          service: name,
          summary: `${name}: ${count} ${what} in the last ${window} (limit ${limit})`,
          forSeconds: 0,
        });
      }
    }
  }
  return conditions;
}

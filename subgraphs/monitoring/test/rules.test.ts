import { EMPTY_MEMORY, evaluate, type AlertRulesConfig } from '../src/alert/rules';
import type { ServiceProbe } from '../src/status/probe';
import { buildSnapshot, fingerprint, overallStatus } from '../src/status/snapshot';
import { HealthStatus } from '../src/status/system-status.type';

const RULES: AlertRulesConfig = {
  serviceDownSeconds: 30,
  breakerOpenSeconds: 60,
  queueWaitSeconds: 300,
  errorRatePercent: 5,
  errorRateMinOperations: 20,
  windowSeconds: 300,
  refreshTokenReuseCount: 3,
  signInFailureCount: 50,
};

function service(name: string, overrides: Partial<ServiceProbe> = {}): ServiceProbe {
  return {
    name,
    status: HealthStatus.UP,
    ready: true,
    version: '1',
    uptimeSeconds: 1,
    checkedAt: new Date(0).toISOString(),
    reason: null,
    dependencies: [],
    breakers: [],
    queues: [],
    counters: {},
    ...overrides,
  };
}

const down = (name: string) =>
  service(name, { status: HealthStatus.DOWN, ready: false, reason: 'unreachable' });

describe('overall status', () => {
  it('is UP when every service is, DEGRADED when one is not, DOWN without the gateway or without any', () => {
    expect(overallStatus([service('gateway'), service('identity')])).toBe('UP');
    expect(overallStatus([service('gateway'), down('identity')])).toBe('DEGRADED');
    expect(overallStatus([service('gateway'), service('identity', { status: HealthStatus.DEGRADED })])).toBe(
      'DEGRADED',
    );
    expect(overallStatus([down('gateway'), service('identity')])).toBe('DOWN');
    expect(overallStatus([down('identity'), down('generation')])).toBe('DOWN');
  });

  it('ignores what changes on every poll when deciding whether the status changed', () => {
    const before = buildSnapshot([service('gateway', { uptimeSeconds: 1 })], new Date(1000));
    const later = buildSnapshot([service('gateway', { uptimeSeconds: 9 })], new Date(9000));
    expect(fingerprint(later)).toBe(fingerprint(before));
    expect(fingerprint(buildSnapshot([down('gateway')]))).not.toBe(fingerprint(before));
  });
});

describe('alert rules', () => {
  it('fires a condition only once it has held for its duration, and forgets it when it clears', () => {
    const snapshot = buildSnapshot([down('identity')]);
    let result = evaluate(snapshot, RULES, EMPTY_MEMORY, 0);
    expect(result.firing).toEqual([]);
    result = evaluate(snapshot, RULES, result.memory, 29_999);
    expect(result.firing).toEqual([]);
    result = evaluate(snapshot, RULES, result.memory, 30_000);
    expect(result.firing.map((c) => c.key)).toEqual(['service-down:identity']);
    result = evaluate(buildSnapshot([service('identity')]), RULES, result.memory, 31_000);
    expect(result.firing).toEqual([]);
    // Down again: the clock starts over.
    result = evaluate(snapshot, RULES, result.memory, 32_000);
    expect(result.firing).toEqual([]);
  });

  it('fires breaker-open for an OPEN breaker only, and queue-backlog above the wait limit', () => {
    const snapshot = buildSnapshot([
      service('gateway', {
        breakers: [
          { name: 'subgraph:identity', state: 'OPEN', failureRate: null, openedAt: null },
          { name: 'subgraph:generation', state: 'HALF_OPEN', failureRate: null, openedAt: null },
        ],
        queues: [
          {
            name: 'generation',
            waiting: 1,
            active: 0,
            delayed: 0,
            failed: 0,
            completed: 0,
            oldestWaitingSeconds: 301,
          },
          {
            name: 'other',
            waiting: 1,
            active: 0,
            delayed: 0,
            failed: 0,
            completed: 0,
            oldestWaitingSeconds: 299,
          },
        ],
      }),
    ]);
    const first = evaluate(snapshot, RULES, EMPTY_MEMORY, 0);
    expect(first.firing.map((c) => c.key)).toEqual(['queue-backlog:generation']);
    const later = evaluate(snapshot, RULES, first.memory, 60_000);
    expect(later.firing.map((c) => c.key)).toEqual([
      'breaker-open:gateway:subgraph:identity',
      'queue-backlog:generation',
    ]);
  });

  it('counts a counter that went down (a restart) from zero, and stays quiet under the minimum of operations', () => {
    const at = (ops: number, errors: number) =>
      buildSnapshot([
        service('gateway', { counters: { 'graphql.operations': ops, 'graphql.errors': errors } }),
      ]);
    let result = evaluate(at(1000, 10), RULES, EMPTY_MEMORY, 0);
    result = evaluate(at(10, 5), RULES, result.memory, 1000); // restarted: 10 operations, 5 failed
    expect(result.firing).toEqual([]); // 10 < 20 operations
    result = evaluate(at(30, 15), RULES, result.memory, 2000);
    expect(result.firing.map((c) => [c.key, c.summary])).toEqual([
      ['error-rate:gateway', 'gateway: 50.0 % of 30 operations failed in the last 300 s (limit 5 %)'],
    ]);
    // Once the failures are older than the window, the rate is computed without them.
    result = evaluate(at(60, 15), RULES, result.memory, 400_000);
    expect(result.firing).toEqual([]);
  });

  it('fires refresh-token-reuse at its count within the window', () => {
    const at = (n: number) =>
      buildSnapshot([service('identity', { counters: { 'audit.refresh_token.reused': n } })]);
    let result = evaluate(at(0), RULES, EMPTY_MEMORY, 0);
    result = evaluate(at(2), RULES, result.memory, 1000);
    expect(result.firing).toEqual([]);
    result = evaluate(at(3), RULES, result.memory, 2000);
    expect(result.firing.map((c) => c.rule)).toEqual(['refresh-token-reuse']);
  });
});

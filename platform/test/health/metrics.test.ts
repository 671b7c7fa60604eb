import { connectHealthAndMetrics } from '../../src/health';
import { createMetrics } from '../../src/metrics';
import { describeWithPromtool, HealthFixture, Leftovers, promtool } from '../../src/testing';

describeWithPromtool('health as metrics', () => {
  const leftovers = new Leftovers();
  afterAll(() => leftovers.dispose());

  it('exports readiness, breaker states and queue counts as atrium_ gauges that promtool accepts', async () => {
    const metrics = createMetrics({ service: 'generation' });
    const fixture = leftovers.add(
      new HealthFixture('generation', { breaker: 'provider:openai', queue: 'generation' }),
      (f) => f.dispose(),
    );
    const { health } = fixture;
    fixture.queue = { waiting: 4, active: 1, delayed: 0, failed: 2, completed: 9, oldestWaitingSeconds: 7.5 };
    connectHealthAndMetrics(health, metrics);
    await fixture.tripBreaker();

    const text = await metrics.registry.metrics();
    expect(text).toContain('atrium_ready{service="generation"} 1');
    expect(text).toContain('atrium_circuit_breaker_state{breaker="provider:openai",service="generation"} 2');
    expect(text).toContain('atrium_queue_jobs{queue="generation",state="waiting",service="generation"} 4');
    expect(text).toContain(
      'atrium_queue_oldest_waiting_seconds{queue="generation",service="generation"} 7.5',
    );
    const check = promtool(['check', 'metrics'], text);
    expect(check).toEqual({ status: 0, output: '' });

    health.startShutdown();
    expect(await metrics.registry.metrics()).toContain('atrium_ready{service="generation"} 0');
    const document = await health.status();
    expect(document.checks['graphql.operations:count']?.[0]?.observedValue).toBe(0);
  });
});

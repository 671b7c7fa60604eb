// A generation subgraph restarting under a live subscription: the real graphql-ws client watches a job through
// the real gateway while the generation API process is stopped mid-stream and started again on the same URL. The
// worker (its own app, on PostgreSQL and Redis) keeps writing the job meanwhile. The gateway reconnects within
// its retry budget and resubscribes; the subgraph answers snapshot first, so the subscriber gets no error and
// an output with nothing missing: a SNAPSHOT covering what happened during the outage, then deltas again.
import { describeWithPostgresAndRedis, Leftovers, postGraphQL, silentLogger } from '@atrium/platform/testing';
import {
  createGenerationServer,
  createGenerationWorker,
  loadGenerationConfig,
  type GenerationWorker,
} from '@atrium/subgraph-generation';
import { productionEnv } from '../src/production-env';
import { startStack, TEST_INTERNAL_SECRET, type Stack } from '../src/stack';
import { WATCH, type WatchEvent } from '../src/watch-job';
import { collect, eventually, signUp, wsClient, type WsResult } from '../src/ws-client';
import { metricValue } from './gateway-harness';

// A brief of many sentences: the local provider writes the document from it, in 48-character chunks, long
// enough that the job is still running when the subgraph comes back.
const BRIEF = Array.from(
  { length: 60 },
  (_, i) => `Point ${i + 1} of the rollout plan needs an owner and a date.`,
).join(' ');

describeWithPostgresAndRedis('a generation subgraph restarting under a live subscription', () => {
  const leftovers = new Leftovers();
  const log = silentLogger('e2e');
  let stack: Stack;
  let worker: GenerationWorker;
  let serviceEnv: Record<string, string>;

  beforeAll(async () => {
    const production = await productionEnv();
    leftovers.defer(() => production.drop());
    const env = {
      ...production.env,
      GENERATION_INLINE_WORKER: 'false',
      GENERATION_LOCAL_CHUNK_DELAY_MS: '60',
      // A reconnect window far longer than a restart takes, even on a loaded machine.
      SUBSCRIPTION_UPSTREAM_RETRIES: '40',
      SUBSCRIPTION_UPSTREAM_RETRY_BASE_MS: '50',
    };
    stack = await startStack({ env });
    leftovers.defer(() => stack.stop());
    serviceEnv = {
      INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
      LOG_LEVEL: 'silent',
      INTEGRATIONS_URL: stack.subgraphs.integrations.url,
      ...env,
    };
    // The worker runs jobs from the shared queue; it is not the process that restarts.
    worker = await createGenerationWorker({ config: loadGenerationConfig(serviceEnv), log });
    leftovers.defer(() => worker.stop());
  }, 120_000);
  afterAll(() => leftovers.dispose());

  it('reconnects within its retry budget: no error, a SNAPSHOT covering the outage, then deltas to SUCCEEDED', async () => {
    const ada = await signUp(stack.gatewayUrl, 'Ada Reconnect');
    const created = await postGraphQL<{ generate: { id: string } }>(
      stack.gatewayUrl,
      'mutation($i: GenerateInput!) { generate(input: $i) { id } }',
      {
        variables: { i: { kind: 'DOCUMENT', prompt: BRIEF } },
        headers: { authorization: `Bearer ${ada.accessToken}` },
      },
    );
    expect(created.body.errors).toBeUndefined();
    const id = created.body.data!.generate.id;

    const client = wsClient(stack.gatewayUrl, `Bearer ${ada.accessToken}`);
    leftovers.defer(() => client.dispose());
    const seen: WsResult<WatchEvent>[] = [];
    const outcome = collect<WatchEvent>(client, WATCH, { id }, { onResult: (r) => seen.push(r) });
    const deltas = () => seen.filter((r) => r.data?.generationJobUpdated.type === 'OUTPUT_DELTA').length;
    await eventually(() => deltas() >= 2);

    const { port } = new URL(stack.subgraphs.generation.url);
    await stack.subgraphs.generation.server.stop();
    const lastBefore = seen[seen.length - 1]!.data!.generationJobUpdated.sequence;
    // The job moves on while the subgraph is away: the subscriber misses these events on the wire.
    await eventually(async () => ((await worker.app.store.find(id))?.sequence ?? 0) > lastBefore + 1);
    const restarted = await createGenerationServer({ config: loadGenerationConfig(serviceEnv), log });
    leftovers.defer(() => restarted.stop());
    await restarted.listen(Number(port), '127.0.0.1');

    const { results, error } = await outcome;
    expect(error).toBeUndefined();
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(
      await metricValue(new URL(stack.gatewayUrl).origin, 'atrium_gateway_subscription_reconnects_total', {
        subgraph: 'generation',
      }),
    ).toBe(1);

    const events = results.map((r) => r.data!.generationJobUpdated);
    expect(events.every((e) => e.job.owner?.displayName === 'Ada Reconnect')).toBe(true);
    const snapshots = events.flatMap((e, index) => (e.type === 'SNAPSHOT' ? [index] : []));
    // One snapshot from the first subscribe, one from the resubscribe after the reconnect.
    expect(snapshots).toHaveLength(2);
    expect(snapshots[0]).toBe(0);
    const resumedAt = snapshots[1]!;
    // Before the outage and after the reconnect, in order and gap-free; the resumed snapshot covers the gap.
    events.slice(0, resumedAt).forEach((e, i) => expect(e.sequence).toBe(events[0]!.sequence + i));
    events.slice(resumedAt).forEach((e, i) => expect(e.sequence).toBe(events[resumedAt]!.sequence + i));
    expect(events[resumedAt]!.sequence).toBeGreaterThan(lastBefore + 1);
    expect(events.slice(resumedAt + 1).some((e) => e.type === 'OUTPUT_DELTA')).toBe(true);

    // What a frontend rebuilds (a snapshot replaces the output, a delta appends) is the job's final output.
    let output = '';
    for (const event of events) {
      if (event.type === 'SNAPSHOT' || event.outputReset) output = event.job.output ?? '';
      else if (event.type === 'OUTPUT_DELTA') output += event.delta ?? '';
    }
    const last = events[events.length - 1]!;
    expect(last.job.status).toBe('SUCCEEDED');
    expect(output).toBe(last.job.output);
    expect(output).toContain('Point 60 of the rollout plan');
    expect(
      await metricValue(new URL(stack.gatewayUrl).origin, 'atrium_gateway_subscription_terminations_total', {
        reason: 'upstream_error',
      }),
    ).toBe(0);
  }, 90_000);
});

// A subscriber that stops reading, through the real gateway and the real subgraphs, with the real graphql-ws
// client whose WebSocket the test pauses (the TCP socket stops being read, as a frozen browser tab's would).
// Each event carries the job's prompt several times over, so the socket's buffers fill within a few events and
// the gateway's per-subscriber queue (SUBSCRIPTION_QUEUE_CAPACITY) is what holds the rest. Overflow policy: the
// subscriber is resynchronised from a fresh SNAPSHOT, never silently skipped; overflowing again without having
// read a single event ends it with SUBSCRIPTION_SLOW_CONSUMER. Memory is read from the gateway's metrics.
import WebSocket from 'ws';
import { postGraphQL } from '@atrium/platform/testing';
import { startStack, type Stack } from '../src/stack';
import { watchJobDocument, type WatchEvent } from '../src/watch-job';
import { collect, eventually, signUp, wsClient, type WsResult } from '../src/ws-client';

const CAPACITY = 16;
const PROMPT_COPIES = 12;

const WATCH = watchJobDocument(
  `status output ${Array.from({ length: PROMPT_COPIES }, (_, i) => `p${i}: prompt`).join(' ')}`,
);

// No owner: the prompt copies are what makes each event large, and identity plays no part here.
interface LargeJob {
  status: string;
  output: string | null;
}

// A summary keeps the first ten sentences of its text, so the output (about 80 deltas) is written from those,
// while the padding after them (no sentence end) makes the prompt, and so every event, large.
const PROMPT = (() => {
  const sentences = Array.from(
    { length: 10 },
    (_, i) =>
      `Sentence ${i + 1} states a fact about the quarterly plan ${'and its many moving parts '.repeat(12)}in order.`,
  ).join(' ');
  return `${sentences} ${'padding '.repeat(Math.floor((19_500 - sentences.length) / 8))}`.trimEnd();
})();

describe('a subscriber that stops reading', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        GENERATION_LOCAL_CHUNK_DELAY_MS: '25',
        GENERATION_DELTA_INTERVAL_MS: '0',
        SUBSCRIPTION_QUEUE_CAPACITY: String(CAPACITY),
        // The paused client cannot answer WebSocket pings; the test is about the queue, not keepalive.
        SUBSCRIPTION_KEEPALIVE_MS: '300000',
      },
    });
  }, 60_000);
  afterAll(() => stack?.stop());

  /** The gateway's metric as /metrics serves it, read in process so a test can react within an event or two. */
  async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const found = stack.gateway.metrics.registry.getSingleMetric(`atrium_${name}`);
    if (!found) throw new Error(`The gateway exports no metric named atrium_${name}`);
    const { values } = await found.get();
    return values
      .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
      .reduce((sum, sample) => sum + sample.value, 0);
  }
  const overflows = () => metric('gateway_subscription_queue_overflows_total');
  const slowConsumerEnds = () =>
    metric('gateway_subscription_terminations_total', { reason: 'slow_consumer' });

  async function startJob(token: string): Promise<string> {
    const response = await postGraphQL<{ generate: { id: string } }>(
      stack.gatewayUrl,
      'mutation($i: GenerateInput!) { generate(input: $i) { id } }',
      {
        variables: { i: { kind: 'SUMMARY', prompt: PROMPT } },
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(response.body.errors).toBeUndefined();
    return response.body.data!.generate.id;
  }

  /** The graphql-ws client a frontend uses, on a WebSocket the test can stop reading and read again. */
  function pausableClient(token: string) {
    const sockets: WebSocket[] = [];
    class TrackedWebSocket extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    }
    const client = wsClient(stack.gatewayUrl, `Bearer ${token}`, { webSocketImpl: TrackedWebSocket });
    return { client, pause: () => sockets.at(-1)!.pause(), resume: () => sockets.at(-1)!.resume() };
  }

  /** Watches a job, stops reading after its first event, and hands back the results once it ends. */
  function watchThenStopReading(token: string, id: string) {
    const { client, pause, resume } = pausableClient(token);
    let first: (() => void) | undefined;
    const firstSeen = new Promise<void>((resolve) => (first = resolve));
    const outcome = collect<WatchEvent<LargeJob>>(
      client,
      WATCH,
      { id },
      {
        onResult: () => {
          if (!first) return;
          pause();
          first();
          first = undefined;
        },
      },
    ).finally(() => client.dispose());
    return { firstSeen, outcome, resume };
  }

  const events = (results: WsResult<WatchEvent<LargeJob>>[]) =>
    results.filter((r) => r.data).map((r) => r.data!.generationJobUpdated);

  it('resynchronises a subscriber whose queue overflowed from a fresh SNAPSHOT: its output stays complete', async () => {
    const ada = await signUp(stack.gatewayUrl, 'Ada Slow');
    const before = { overflows: await overflows(), ended: await slowConsumerEnds() };
    const id = await startJob(ada.accessToken);
    const watcher = watchThenStopReading(ada.accessToken, id);
    await watcher.firstSeen;
    // It reads again as soon as its queue overflowed once.
    await eventually(async () => (await overflows()) > before.overflows, 1);
    watcher.resume();
    const { results, error } = await watcher.outcome;

    expect(error).toBeUndefined();
    expect(results.filter((r) => r.errors)).toEqual([]);
    expect(await overflows()).toBe(before.overflows + 1);
    expect(await slowConsumerEnds()).toBe(before.ended);
    const all = events(results);
    const snapshots = all.flatMap((e, index) => (e.type === 'SNAPSHOT' ? [index] : []));
    expect(snapshots).toHaveLength(2);
    expect(snapshots[0]).toBe(0);
    const resumedAt = snapshots[1]!;
    // What it read before the overflow is in order and gap-free; the events its full queue could not hold are
    // replaced by the fresh SNAPSHOT (a later sequence), after which deltas follow gap-free again.
    all.slice(0, resumedAt).forEach((e, i) => expect(e.sequence).toBe(all[0]!.sequence + i));
    expect(all[resumedAt]!.sequence).toBeGreaterThan(all[resumedAt - 1]!.sequence + 1);
    all.slice(resumedAt).forEach((e, i) => expect(e.sequence).toBe(all[resumedAt]!.sequence + i));
    let output = '';
    for (const event of all) {
      if (event.type === 'SNAPSHOT' || event.outputReset) output = event.job.output ?? '';
      else if (event.type === 'OUTPUT_DELTA') output += event.delta ?? '';
    }
    const last = all[all.length - 1]!;
    expect(last.job.status).toBe('SUCCEEDED');
    expect(output).toBe(last.job.output);
    await eventually(async () => (await metric('gateway_subscription_upstream_streams')) === 0);
  }, 60_000);

  it('ends a subscriber that overflows twice without reading with SUBSCRIPTION_SLOW_CONSUMER, its memory bounded', async () => {
    const bob = await signUp(stack.gatewayUrl, 'Bob Stuck');
    const before = { overflows: await overflows(), ended: await slowConsumerEnds() };
    const id = await startJob(bob.accessToken);
    const watcher = watchThenStopReading(bob.accessToken, id);
    await watcher.firstSeen;
    // While it does not read, the gateway holds at most its queue for it (plus the final error).
    let deepest = 0;
    await eventually(async () => {
      deepest = Math.max(deepest, await metric('gateway_subscription_queued_events'));
      return (await slowConsumerEnds()) > before.ended;
    }, 5);
    expect(deepest).toBeGreaterThan(0);
    expect(deepest).toBeLessThanOrEqual(CAPACITY);
    expect(await overflows()).toBe(before.overflows + 2);
    // Nothing is kept for it any more: its upstream is closed and its queue holds only the final error.
    expect(await metric('gateway_subscription_upstream_streams')).toBe(0);
    expect(await metric('gateway_subscription_queued_events')).toBe(1);

    watcher.resume();
    const { results, error } = await watcher.outcome;
    expect(error).toBeUndefined();
    const last = results[results.length - 1]!;
    expect(last.data ?? null).toBeNull();
    expect(last.errors?.map((e) => e.extensions?.code)).toEqual(['SUBSCRIPTION_SLOW_CONSUMER']);
    // Every event it did get is in order and gap-free from the first SNAPSHOT; then the coded end, never a
    // silent skip.
    const got = events(results.slice(0, -1));
    expect(got[0]!.type).toBe('SNAPSHOT');
    got.forEach((e, i) => expect(e.sequence).toBe(got[0]!.sequence + i));
    await eventually(async () => (await metric('gateway_subscriptions_active')) === 0);
    expect(await metric('gateway_subscription_queued_events')).toBe(0);
  }, 60_000);
});

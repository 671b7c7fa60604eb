// Identity going down while a job is watched through the real gateway and the real subgraphs: the events keep
// coming from generation, each with `owner` null and a coded error (the per-event `rest` step fails, the
// subscription stays open), in order and gap-free, to SUCCEEDED.
import { postGraphQL } from '@atrium/platform/testing';
import { startStack, type Stack } from '../src/stack';
import { WATCH, type WatchEvent } from '../src/watch-job';
import { collect, eventually, signUp, wsClient, type WsResult } from '../src/ws-client';

// Long enough (60 sentences in 48-character chunks) that the job is still running when identity stops.
const BRIEF = Array.from(
  { length: 60 },
  (_, i) => `Item ${i + 1} of the identity outage drill is written down.`,
).join(' ');

describe('identity down while a job is watched', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { GENERATION_LOCAL_CHUNK_DELAY_MS: '40' } });
  }, 60_000);
  afterAll(() => stack?.stop());

  it('keeps delivering every event, with `owner` null and SUBGRAPH_UNAVAILABLE, to SUCCEEDED', async () => {
    const ada = await signUp(stack.gatewayUrl, 'Ada Outage');
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
    try {
      const seen: WsResult<WatchEvent>[] = [];
      const outcome = collect<WatchEvent>(client, WATCH, { id }, { onResult: (r) => seen.push(r) });
      await eventually(() => seen.length >= 2);
      await stack.subgraphs.identity.server.stop();
      const { results, error } = await outcome;

      expect(error).toBeUndefined();
      const events = results.map((r) => r.data!.generationJobUpdated);
      // Nothing lost, nothing twice, in order: the outage touches `owner`, never the stream.
      events.forEach((event, index) => expect(event.sequence).toBe(events[0]!.sequence + index));
      expect(events[0]!.job.owner).toEqual({ displayName: 'Ada Outage' });
      const last = results[results.length - 1]!;
      expect(last.data!.generationJobUpdated.job.status).toBe('SUCCEEDED');
      expect(last.data!.generationJobUpdated.job.owner).toBeNull();
      expect(last.errors?.map((e) => e.extensions?.code)).toEqual(['SUBGRAPH_UNAVAILABLE']);
      expect(JSON.stringify(last.errors)).not.toContain('127.0.0.1');
      let output = '';
      for (const event of events) {
        if (event.type === 'SNAPSHOT' || event.outputReset) output = event.job.output ?? '';
        else if (event.type === 'OUTPUT_DELTA') output += event.delta ?? '';
      }
      expect(output).toBe(last.data!.generationJobUpdated.job.output);
    } finally {
      await client.dispose();
    }
  }, 60_000);
});

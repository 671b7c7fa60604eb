import { Leftovers } from '@atrium/platform/testing';
import {
  GenerationEventType,
  toView,
  userTopic,
  type JobEventPayload,
} from '../src/generation-job/job-events';
import { GenerationJob } from '../src/generation-job/generation-job.entity';
import { GENERATE, startGeneration, user, type Harness } from './support/harness';

const bob = user('u-bob');
const MY_EVENTS = 'subscription { myGenerationEvents { sequence type job { id status } } }';

describe('myGenerationEvents', () => {
  const leftovers = new Leftovers();
  let harness: Harness;
  beforeAll(async () => {
    // No worker: jobs stay QUEUED, so the only events are the ones this test causes.
    harness = await startGeneration({ GENERATION_INLINE_WORKER: 'false' }, leftovers);
  });
  afterAll(() => leftovers.dispose());

  it('sends a fresh SNAPSHOT from the database before an event that skipped sequence numbers', async () => {
    const client = harness.ws(bob);
    leftovers.defer(() => client.dispose());
    const received: Array<{ sequence: number; type: string; job: { id: string; status: string } }> = [];
    const iterator = client.iterate<{ myGenerationEvents: (typeof received)[number] }>({ query: MY_EVENTS });
    const reading = (async () => {
      for await (const result of iterator) {
        received.push(result.data!.myGenerationEvents);
        if (received.length === 3) break;
      }
    })();
    // Whichever comes first, the subscription or the job, the job's first message is its state at sequence 1:
    // the QUEUED event, or the snapshot of active jobs taken when the subscription starts.
    const created = await harness.gql<{ generate: { id: string } }>(bob, GENERATE, {
      input: { kind: 'SUMMARY', prompt: 'Summarise the quarter.' },
    });
    const id = created.body.data!.generate.id;
    await waitFor(async () => received.length === 1);
    // Events 2 and 3 were written but their messages were lost; event 4 arrives.
    const em = harness.server.app.fork();
    const job = await em.findOneOrFail(GenerationJob, id);
    const queuedSequence = job.sequence;
    await em.nativeUpdate(GenerationJob, { id }, { sequence: queuedSequence + 2 });
    const lateEvent: JobEventPayload = {
      ...(received[0] as never as JobEventPayload),
      sequence: queuedSequence + 3,
      type: GenerationEventType.PROGRESS,
      delta: null,
      message: null,
      outputReset: false,
      job: toView(job, false),
    };
    await harness.server.app.resources.infra.events.publish(userTopic(bob.userId!), lateEvent);
    await reading;
    expect(['STATUS', 'SNAPSHOT']).toContain(received[0]!.type);
    expect(received.map((event) => [event.type, event.sequence - queuedSequence]).slice(1)).toEqual([
      ['SNAPSHOT', 2],
      ['PROGRESS', 3],
    ]);
    expect(received.every((event) => event.job.id === id)).toBe(true);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

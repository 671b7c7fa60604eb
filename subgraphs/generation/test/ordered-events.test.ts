import type { EventIterator } from '@atrium/platform/events';
import { GenerationEventType, type JobEventPayload } from '../src/generation-job/job-events';
import { orderedJobEvents } from '../src/events/ordered-events';
import { GenerationStatus } from '../src/generation-job/generation-job.entity';

function event(
  sequence: number,
  status = GenerationStatus.RUNNING,
  type = GenerationEventType.OUTPUT_DELTA,
): JobEventPayload {
  return {
    sequence,
    type,
    delta: `d${sequence}`,
    message: null,
    outputReset: false,
    job: { status } as JobEventPayload['job'],
  };
}

/** A hand-fed iterator: events pushed by the test, as a bus would deliver them. */
function feed(): { iterator: EventIterator<JobEventPayload>; push(e: JobEventPayload): void; end(): void } {
  const queue: JobEventPayload[] = [];
  const waiting: Array<(r: IteratorResult<JobEventPayload>) => void> = [];
  let ended = false;
  const iterator = {
    ready: Promise.resolve(),
    next: () =>
      new Promise<IteratorResult<JobEventPayload>>((resolve) => {
        if (queue.length > 0) resolve({ value: queue.shift()!, done: false });
        else if (ended) resolve({ value: undefined, done: true });
        else waiting.push(resolve);
      }),
    return: async (): Promise<IteratorResult<JobEventPayload>> => {
      ended = true;
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  } as EventIterator<JobEventPayload>;
  return {
    iterator,
    push: (e) => {
      const w = waiting.shift();
      if (w) w({ value: e, done: false });
      else queue.push(e);
    },
    end: () => {
      ended = true;
      for (const w of waiting.splice(0)) w({ value: undefined, done: true });
    },
  };
}

async function take(gen: AsyncGenerator<JobEventPayload>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const { value, done } = await gen.next();
    if (done) break;
    out.push(value.sequence);
  }
  return out;
}

describe('orderedJobEvents', () => {
  it('reorders events that arrive out of order and drops duplicates and old ones', async () => {
    const { iterator, push } = feed();
    const gen = orderedJobEvents(iterator, 3, () => Promise.reject(new Error('no resync expected')));
    for (const s of [2, 3, 5, 4, 4, 6]) push(event(s));
    expect(await take(gen, 3)).toEqual([4, 5, 6]);
    await gen.return(undefined);
  });

  it('re-reads the state as a SNAPSHOT when a missing event does not arrive in time', async () => {
    const { iterator, push } = feed();
    const snapshot = { ...event(7), type: GenerationEventType.SNAPSHOT };
    const gen = orderedJobEvents(iterator, 3, async () => snapshot, { gapTimeoutMs: 30 });
    push(event(4));
    push(event(6)); // 5 is lost
    push(event(8));
    const started = Date.now();
    expect(await take(gen, 3)).toEqual([4, 7, 8]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    await gen.return(undefined);
  });

  it('ends after the first event in a terminal state', async () => {
    const { iterator, push } = feed();
    const gen = orderedJobEvents(iterator, 0, () => Promise.reject(new Error('unused')));
    push(event(1));
    push(event(2, GenerationStatus.SUCCEEDED, GenerationEventType.STATUS));
    push(event(3));
    expect(await take(gen, 5)).toEqual([1, 2]);
  });
});

import type { EventIterator } from '@atrium/platform/events';
import { inSequence } from '../src/events/in-sequence';
import { JobSequencer } from '../src/events/sequencer';
import { GenerationStatus } from '../src/generation-job/generation-job.entity';
import { GenerationEventType, type JobEventPayload } from '../src/generation-job/job-events';

function event(
  sequence: number,
  options: { job?: string; status?: GenerationStatus; type?: GenerationEventType } = {},
): JobEventPayload {
  return {
    sequence,
    type: options.type ?? GenerationEventType.OUTPUT_DELTA,
    delta: `d${sequence}`,
    message: null,
    outputReset: false,
    job: {
      id: options.job ?? 'a',
      status: options.status ?? GenerationStatus.RUNNING,
    } as JobEventPayload['job'],
  };
}

const snapshot = (sequence: number, job = 'a') =>
  event(sequence, { job, type: GenerationEventType.SNAPSHOT });
/** What a subscriber would see: sequence numbers, SNAPSHOTs marked. */
const seen = (events: JobEventPayload[]) =>
  events.map((e) => (e.type === GenerationEventType.SNAPSHOT ? `S${e.sequence}` : e.sequence));

describe('the sequence rule (JobSequencer)', () => {
  const rule = { windowMs: 1000, maxHeld: 3 };

  it('delivers the next event at once, holds a later one, and releases it when the hole fills', () => {
    const sequencer = new JobSequencer(rule);
    sequencer.delivered(snapshot(3));
    expect(seen(sequencer.accept(event(5), 0))).toEqual([]);
    expect(sequencer.nextDue()).toBe(1000);
    expect(seen(sequencer.accept(event(4), 10))).toEqual([4, 5]);
    expect(sequencer.nextDue()).toBeUndefined();
    expect(sequencer.due(5000)).toEqual([]);
  });

  it('drops duplicates and events at or below what a SNAPSHOT covered', () => {
    const sequencer = new JobSequencer(rule);
    sequencer.delivered(snapshot(3));
    const out = [2, 3, 4, 4, 5, 4].flatMap((s) => sequencer.accept(event(s), 0));
    expect(seen(out)).toEqual([4, 5]);
  });

  it('leaves a hole open for the window, then asks for a SNAPSHOT that replaces what was missed', () => {
    const sequencer = new JobSequencer(rule);
    sequencer.delivered(snapshot(3));
    sequencer.accept(event(5), 100); // 4 is lost
    sequencer.accept(event(7), 200);
    expect(sequencer.due(1099)).toEqual([]);
    expect(sequencer.due(1100)).toEqual(['a']);
    // The stored job is at 6 when re-read: 5 is covered, 7 follows the SNAPSHOT.
    expect(seen(sequencer.resynced('a', snapshot(6), 1100))).toEqual(['S6', 7]);
    expect(sequencer.due(10_000)).toEqual([]);
  });

  it('does not wait for the window once more than maxHeld events are held', () => {
    const sequencer = new JobSequencer(rule);
    sequencer.delivered(snapshot(1));
    for (const s of [3, 4, 5]) sequencer.accept(event(s), 0);
    expect(sequencer.due(0)).toEqual([]);
    sequencer.accept(event(6), 0);
    expect(sequencer.due(0)).toEqual(['a']);
    expect(sequencer.nextDue()).toBe(0);
  });

  it('keeps the hole open for another window when the re-read state is not newer (a stale read)', () => {
    const sequencer = new JobSequencer(rule);
    sequencer.delivered(snapshot(3));
    sequencer.accept(event(5), 0);
    expect(seen(sequencer.resynced('a', snapshot(3), 1000))).toEqual([]);
    expect(sequencer.due(1999)).toEqual([]);
    expect(sequencer.due(2000)).toEqual(['a']);
    expect(seen(sequencer.accept(event(4), 2000))).toEqual([4, 5]);
  });

  it('forgets a job that is gone, with its held events', () => {
    const sequencer = new JobSequencer(rule);
    sequencer.accept(event(3), 0);
    expect(seen(sequencer.resynced('a', null, 1000))).toEqual([]);
    expect(sequencer.nextDue()).toBeUndefined();
  });

  it('keeps each job apart: a hole in one never holds back another', () => {
    const sequencer = new JobSequencer(rule);
    expect(seen(sequencer.accept(event(2, { job: 'a' }), 0))).toEqual([]);
    expect(seen(sequencer.accept(event(1, { job: 'b' }), 0))).toEqual([1]);
    expect(seen(sequencer.accept(event(2, { job: 'b' }), 0))).toEqual([2]);
    expect(sequencer.due(1000)).toEqual(['a']);
  });

  it('forgets the least recently seen job without a hole past maxJobs; its late duplicate is repaired, not passed on', () => {
    const sequencer = new JobSequencer(rule, 2);
    sequencer.accept(event(1, { job: 'a' }), 0);
    sequencer.accept(event(1, { job: 'b' }), 0);
    sequencer.accept(event(1, { job: 'c' }), 0); // 'a' is forgotten
    expect(seen(sequencer.accept(event(1, { job: 'a' }), 0))).toEqual([1]);
    expect(seen(sequencer.accept(event(5, { job: 'c' }), 0))).toEqual([]);
    expect(sequencer.due(1000)).toEqual(['c']);
  });
});

/** A hand-fed iterator: events pushed by the test, as a bus would deliver them. */
function feed(): { iterator: EventIterator<JobEventPayload>; push(e: JobEventPayload): void } {
  const queue: JobEventPayload[] = [];
  const waiting: Array<(r: IteratorResult<JobEventPayload>) => void> = [];
  const iterator = {
    ready: Promise.resolve(),
    next: () =>
      new Promise<IteratorResult<JobEventPayload>>((resolve) => {
        if (queue.length > 0) resolve({ value: queue.shift()!, done: false });
        else waiting.push(resolve);
      }),
    return: async (): Promise<IteratorResult<JobEventPayload>> => ({ value: undefined, done: true }),
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
  };
}

async function take(gen: AsyncGenerator<JobEventPayload>, n: number): Promise<Array<string | number>> {
  const out: JobEventPayload[] = [];
  for (let i = 0; i < n; i++) {
    const { value, done } = await gen.next();
    if (done) break;
    out.push(value);
  }
  return seen(out);
}

describe('inSequence (the rule driven by a stream)', () => {
  it('reorders events that arrive out of order without asking for a SNAPSHOT', async () => {
    const { iterator, push } = feed();
    const sequencer = new JobSequencer();
    sequencer.delivered(snapshot(3));
    const gen = inSequence(iterator, sequencer, () => Promise.reject(new Error('no resync expected')));
    for (const s of [2, 3, 5, 4, 4, 6]) push(event(s));
    expect(await take(gen, 3)).toEqual([4, 5, 6]);
    await gen.return(undefined);
  });

  it('sends the re-read SNAPSHOT when a missing event never arrives, then what follows it', async () => {
    const { iterator, push } = feed();
    const sequencer = new JobSequencer({ windowMs: 20, maxHeld: 500 });
    sequencer.delivered(snapshot(3));
    const resyncs: string[] = [];
    const gen = inSequence(iterator, sequencer, async (jobId) => {
      resyncs.push(jobId);
      return snapshot(7);
    });
    push(event(4));
    push(event(6)); // 5 is lost
    push(event(8));
    expect(await take(gen, 3)).toEqual([4, 'S7', 8]);
    expect(resyncs).toEqual(['a']);
    await gen.return(undefined);
  });

  it('keeps an event that arrives while a hole is being repaired', async () => {
    const { iterator, push } = feed();
    const sequencer = new JobSequencer({ windowMs: 20, maxHeld: 500 });
    sequencer.delivered(snapshot(1));
    const gen = inSequence(iterator, sequencer, async () => {
      push(event(4)); // published while the job is re-read
      return snapshot(3);
    });
    push(event(3)); // 2 is lost
    expect(await take(gen, 2)).toEqual(['S3', 4]);
    await gen.return(undefined);
  });

  it('ends a one-job stream after the first event in a terminal state', async () => {
    const { iterator, push } = feed();
    const gen = inSequence(iterator, new JobSequencer(), () => Promise.reject(new Error('unused')), {
      endOnTerminal: true,
    });
    push(event(1));
    push(event(2, { status: GenerationStatus.SUCCEEDED, type: GenerationEventType.STATUS }));
    push(event(3));
    expect(await take(gen, 5)).toEqual([1, 2]);
  });
});

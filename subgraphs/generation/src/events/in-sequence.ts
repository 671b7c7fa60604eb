import { isTerminal } from '../generation-job/generation-job.entity';
import type { JobEventPayload } from '../generation-job/job-events';
import type { JobSequencer } from './sequencer';

const DUE = Symbol('due');

export interface InSequenceOptions {
  /** Ends after the first delivered event whose job is in a terminal state (a one-job stream). */
  endOnTerminal?: boolean;
  /** Milliseconds; default `Date.now`. */
  now?: () => number;
}

/**
 * Events as the sequencer's rule allows them (see `JobSequencer`): in order per job, holes repaired by the
 * SNAPSHOT `resync` reads (null when the job is gone). Waits for the next event or for the earliest hole to fall
 * due, whichever comes first; an event still in flight when a hole falls due is kept for the next turn.
 */
export async function* inSequence(
  events: AsyncIterator<JobEventPayload>,
  sequencer: JobSequencer,
  resync: (jobId: string) => Promise<JobEventPayload | null>,
  options: InSequenceOptions = {},
): AsyncGenerator<JobEventPayload> {
  const now = options.now ?? Date.now;
  let pending: Promise<IteratorResult<JobEventPayload>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    for (;;) {
      pending ??= events.next();
      const dueAt = sequencer.nextDue();
      const next =
        dueAt === undefined
          ? await pending
          : await Promise.race([
              pending,
              new Promise<typeof DUE>((resolve) => {
                timer = setTimeout(() => resolve(DUE), Math.max(0, dueAt - now()));
              }),
            ]);
      clearTimeout(timer);
      const ready: JobEventPayload[] = [];
      if (next !== DUE) {
        pending = undefined;
        if (next.done) return;
        ready.push(...sequencer.accept(next.value, now()));
      }
      for (const jobId of sequencer.due(now()))
        ready.push(...sequencer.resynced(jobId, await resync(jobId), now()));
      for (const event of ready) {
        yield event;
        if (options.endOnTerminal && isTerminal(event.job.status)) return;
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

import type { EventIterator } from '@atrium/platform/events';
import { isTerminal } from '../generation-job/generation-job.entity';
import type { JobEventPayload } from '../generation-job/job-events';

export interface OrderOptions {
  /** How long a missing sequence number is waited for before the state is re-read. Default 1000 ms. */
  gapTimeoutMs?: number;
  /** Events held while waiting for a missing one, at most. Default 500. */
  maxHeld?: number;
}

const GAP = Symbol('gap');

/**
 * One job's events in sequence order without gaps, after a snapshot at `fromSequence`. Events published by
 * different processes can arrive out of order, and pub/sub can lose one (a Redis restart): an early event is
 * held until the missing ones arrive; if they do not within `gapTimeoutMs`, `resync` re-reads the stored job
 * and its SNAPSHOT replaces what was missed. Ends after the first event whose job is in a terminal state.
 */
export async function* orderedJobEvents(
  events: EventIterator<JobEventPayload>,
  fromSequence: number,
  resync: () => Promise<JobEventPayload>,
  options: OrderOptions = {},
): AsyncGenerator<JobEventPayload> {
  const gapTimeoutMs = options.gapTimeoutMs ?? 1000;
  const maxHeld = options.maxHeld ?? 500;
  const held = new Map<number, JobEventPayload>();
  let last = fromSequence;
  let pending: Promise<IteratorResult<JobEventPayload>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    for (;;) {
      pending ??= events.next();
      const gapWait =
        held.size > 0
          ? new Promise<typeof GAP>((resolve) => (timer = setTimeout(() => resolve(GAP), gapTimeoutMs)))
          : undefined;
      const next = gapWait ? await Promise.race([pending, gapWait]) : await pending;
      clearTimeout(timer);
      let ready: JobEventPayload[] = [];
      if (next === GAP || held.size > maxHeld) {
        const snapshot = await resync();
        for (const sequence of [...held.keys()]) if (sequence <= snapshot.sequence) held.delete(sequence);
        if (snapshot.sequence > last) {
          last = snapshot.sequence;
          ready.push(snapshot);
        }
      } else {
        pending = undefined;
        if (next.done) return;
        if (next.value.sequence > last) held.set(next.value.sequence, next.value);
      }
      while (held.has(last + 1)) {
        ready.push(held.get(last + 1)!);
        held.delete(++last);
      }
      for (const event of ready) {
        yield event;
        if (isTerminal(event.job.status)) return;
      }
      ready = [];
    }
  } finally {
    clearTimeout(timer);
  }
}

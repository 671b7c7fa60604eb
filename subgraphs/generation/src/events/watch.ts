import type { Principal } from '@atrium/platform/auth';
import type { EventBus } from '@atrium/platform/events';
import { ACTIVE_STATUSES, GenerationJob, isTerminal } from '../generation-job/generation-job.entity';

/** Jobs a `myGenerationEvents` subscription remembers; the oldest are forgotten first. */
const MAX_REMEMBERED_JOBS = 1000;
import { canSee, notFound } from '../generation-job/generation-job.service';
import type { JobStore } from '../generation-job/job-store';
import type { EntityManager } from '@mikro-orm/core';
import {
  GenerationEventType,
  jobTopic,
  toView,
  userTopic,
  type JobEventPayload,
} from '../generation-job/job-events';
import { orderedJobEvents } from './ordered-events';

export function snapshotOf(job: GenerationJob): JobEventPayload {
  return {
    sequence: job.sequence,
    type: GenerationEventType.SNAPSHOT,
    delta: null,
    message: null,
    outputReset: false,
    job: toView(job, true),
  };
}

/**
 * `generationJobUpdated`: subscribes first, then reads the job (so no event falls between the two), checks
 * ownership before anything is sent, and returns SNAPSHOT + the job's later events in order, ending after a
 * terminal state. Refusals throw before the stream exists, so the client gets an error, not an empty stream.
 */
export async function watchJob(
  deps: { events: EventBus; store: JobStore },
  principal: Principal,
  id: string,
): Promise<AsyncIterable<JobEventPayload>> {
  const events = deps.events.iterate<JobEventPayload>(jobTopic(id));
  try {
    await events.ready;
    const job = await deps.store.find(id);
    if (!job || !canSee(principal, job)) throw notFound();
    return (async function* () {
      try {
        yield snapshotOf(job);
        if (isTerminal(job.status)) return;
        const resync = async () => {
          const fresh = await deps.store.find(id);
          if (!fresh) throw notFound();
          return snapshotOf(fresh);
        };
        yield* orderedJobEvents(events, job.sequence, resync);
      } finally {
        await events.return?.();
      }
    })();
  } catch (error) {
    await events.return?.();
    throw error;
  }
}

/**
 * `myGenerationEvents`: every event of the subscriber's jobs. It starts with a SNAPSHOT of each job still
 * QUEUED or RUNNING (at most 100), then passes events on, dropping any a job's snapshot already covers. When an
 * event skips sequence numbers (a lost message, or a job it had not seen from its start) it sends a fresh SNAPSHOT
 * of that job read from the database first, so the subscriber never holds a state with a hole in it.
 */
export async function watchUser(
  deps: { events: EventBus; fork: () => EntityManager },
  principal: Principal,
): Promise<AsyncIterable<JobEventPayload>> {
  const userId = principal.userId!;
  const events = deps.events.iterate<JobEventPayload>(userTopic(userId));
  try {
    await events.ready;
    const active = await deps
      .fork()
      .find(
        GenerationJob,
        { ownerId: userId, status: { $in: [...ACTIVE_STATUSES] } },
        { orderBy: { createdAt: 'asc' }, limit: 100 },
      );
    return (async function* () {
      const seen = new Map<string, number>();
      try {
        for (const job of active) {
          seen.set(job.id, job.sequence);
          yield snapshotOf(job);
        }
        for await (const event of events) {
          const last = seen.get(event.job.id) ?? 0;
          if (event.sequence <= last) continue;
          if (event.sequence > last + 1) {
            const fresh = await deps.fork().findOne(GenerationJob, { id: event.job.id, ownerId: userId });
            if (fresh && fresh.sequence > last) {
              yield snapshotOf(fresh);
              remember(seen, fresh.id, fresh.sequence);
              if (event.sequence <= fresh.sequence) continue;
            }
          }
          remember(seen, event.job.id, event.sequence);
          yield event;
        }
      } finally {
        await events.return?.();
      }
    })();
  } catch (error) {
    await events.return?.();
    throw error;
  }
}

/**
 * The last sequence sent per job, bounded so a long subscription keeps little state; finished jobs stay until
 * pushed out, so a late duplicate of their events is still recognised instead of triggering a resync.
 */
function remember(seen: Map<string, number>, jobId: string, sequence: number): void {
  seen.delete(jobId);
  seen.set(jobId, sequence);
  if (seen.size > MAX_REMEMBERED_JOBS) seen.delete(seen.keys().next().value as string);
}

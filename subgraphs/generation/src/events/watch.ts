import type { Principal } from '@atrium/platform/auth';
import type { EventBus } from '@atrium/platform/events';
import type { EntityManager } from '@mikro-orm/core';
import { ACTIVE_STATUSES, GenerationJob, isTerminal } from '../generation-job/generation-job.entity';
import { canSee, notFound } from '../generation-job/generation-job.service';
import type { JobStore } from '../generation-job/job-store';
import {
  GenerationEventType,
  jobTopic,
  toView,
  userTopic,
  type JobEventPayload,
} from '../generation-job/job-events';
import { inSequence } from './in-sequence';
import { JobSequencer } from './sequencer';

/**
 * Jobs a `myGenerationEvents` subscription remembers; the least recently seen are forgotten first, so a long
 * subscription keeps little state (finished jobs stay until pushed out, so a late duplicate is still recognised).
 */
const MAX_REMEMBERED_JOBS = 1000;

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
        const first = snapshotOf(job);
        yield first;
        if (isTerminal(job.status)) return;
        const sequencer = new JobSequencer();
        sequencer.delivered(first);
        const resync = async () => {
          const fresh = await deps.store.find(id);
          if (!fresh) throw notFound();
          return snapshotOf(fresh);
        };
        yield* inSequence(events, sequencer, resync, { endOnTerminal: true });
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
 * QUEUED or RUNNING (at most 100), then passes each job's events on by the one sequence rule (`JobSequencer`):
 * in order, duplicates and events a SNAPSHOT covered dropped, a hole that stays open (a lost message, or a job it
 * had not seen from its start) repaired by a fresh SNAPSHOT of that job from the database, so the subscriber
 * never holds a state with a hole in it.
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
      const sequencer = new JobSequencer(undefined, MAX_REMEMBERED_JOBS);
      const resync = async (jobId: string) => {
        const fresh = await deps.fork().findOne(GenerationJob, { id: jobId, ownerId: userId });
        return fresh ? snapshotOf(fresh) : null;
      };
      try {
        for (const job of active) {
          const snapshot = snapshotOf(job);
          sequencer.delivered(snapshot);
          yield snapshot;
        }
        yield* inSequence(events, sequencer, resync);
      } finally {
        await events.return?.();
      }
    })();
  } catch (error) {
    await events.return?.();
    throw error;
  }
}

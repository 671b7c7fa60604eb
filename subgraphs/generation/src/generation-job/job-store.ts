import type { EntityManager } from '@mikro-orm/core';
import { GenerationJob, GenerationStatus } from './generation-job.entity';

export type JobChanges = Partial<
  Pick<
    GenerationJob,
    | 'status'
    | 'progressBp'
    | 'output'
    | 'provider'
    | 'model'
    | 'cached'
    | 'attempts'
    | 'runs'
    | 'runToken'
    | 'promptTokens'
    | 'completionTokens'
    | 'costMicros'
    | 'reservedMicros'
    | 'errorCode'
    | 'errorMessage'
    | 'errorRetryable'
    | 'startedAt'
    | 'finishedAt'
  >
>;

export interface AdvanceGuard {
  /** The write applies only while the job is in one of these states. */
  statuses: readonly GenerationStatus[];
  /** The write applies only while this worker run owns the job. */
  runToken?: string;
}

/**
 * Reads and compare-and-set writes of jobs, each on a fresh entity manager (no identity map can serve a stale
 * row). Every write is conditioned on the sequence number the writer last saw, so two writers never both
 * succeed and each successful write owns exactly one new sequence number.
 */
export class JobStore {
  constructor(private readonly fork: () => EntityManager) {}

  find(id: string): Promise<GenerationJob | null> {
    return this.fork().findOne(GenerationJob, { id });
  }

  /** RUNNING jobs with no write since `cutoff`, oldest first: candidates for the stalled-job sweep. */
  findRunningSince(cutoff: Date, limit: number): Promise<GenerationJob[]> {
    return this.fork().find(
      GenerationJob,
      { status: GenerationStatus.RUNNING, updatedAt: { $lt: cutoff } },
      { orderBy: { updatedAt: 'asc' }, limit },
    );
  }

  /**
   * Applies `changes` and bumps the sequence if the row still has `job.sequence` and passes `guard`. On success
   * `job` (the caller's copy) reflects the write and true is returned; false means someone else wrote first.
   */
  async advance(job: GenerationJob, changes: JobChanges, guard: AdvanceGuard): Promise<boolean> {
    const now = new Date();
    const where: Record<string, unknown> = {
      id: job.id,
      sequence: job.sequence,
      status: { $in: [...guard.statuses] },
    };
    if (guard.runToken !== undefined) where.runToken = guard.runToken;
    const affected = await this.fork().nativeUpdate(GenerationJob, where, {
      ...changes,
      sequence: job.sequence + 1,
      updatedAt: now,
    });
    if (affected !== 1) return false;
    Object.assign(job, changes, { sequence: job.sequence + 1, updatedAt: now });
    return true;
  }

  /**
   * Re-reads and retries `decide` until its write wins or it declines (returns null). For API-side transitions
   * (cancel, retry) racing a worker: the loser re-reads and decides again on the fresh state.
   */
  async transition(
    id: string,
    decide: (job: GenerationJob) => { changes: JobChanges; guard: AdvanceGuard } | null,
    maxTries = 10,
  ): Promise<{ job: GenerationJob | null; changed: boolean }> {
    for (let i = 0; i < maxTries; i++) {
      const job = await this.find(id);
      if (!job) return { job: null, changed: false };
      const decision = decide(job);
      if (!decision) return { job, changed: false };
      if (await this.advance(job, decision.changes, decision.guard)) return { job, changed: true };
    }
    throw new Error(`job ${id} kept changing; gave up after ${maxTries} attempts`);
  }
}

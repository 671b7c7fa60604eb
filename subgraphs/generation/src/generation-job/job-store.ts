import type { EntityManager } from '@mikro-orm/core';
import { findByIds } from '@atrium/platform/database';
import { ACTIVE_STATUSES, GenerationJob, GenerationStatus } from './generation-job.entity';
import { JobSql } from './job-sql';

export type JobChanges = Partial<
  Pick<
    GenerationJob,
    | 'status'
    | 'progressBp'
    | 'output'
    | 'provider'
    | 'model'
    | 'providerKeyOwner'
    | 'cached'
    | 'attempts'
    | 'runs'
    | 'runToken'
    | 'leaseExpiresAt'
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
  /** The write applies only while no run holds a lease at this time (none was taken, or it lapsed). */
  leaseFreeAt?: Date;
}

/**
 * Reads and compare-and-set writes of jobs: reads on a fresh entity manager each (no identity map can serve a stale
 * row), writes as SQL of their own (JobSql). Every write is conditioned on the sequence number the writer last saw, so two writers never both
 * succeed and each successful write owns exactly one new sequence number.
 */
export class JobStore {
  private readonly sql = new JobSql();
  private shared: EntityManager | undefined;

  constructor(private readonly fork: () => EntityManager) {}

  /**
   * For statements written in JobSql: they use only the connection and the metadata, never an identity map, so
   * one entity manager serves them all instead of a fork per statement (a fork costs ≈0.2 ms of CPU).
   */
  private get plain(): EntityManager {
    this.shared ??= this.fork();
    return this.shared;
  }

  async find(id: string): Promise<GenerationJob | null> {
    const [job] = await findByIds(this.fork(), GenerationJob, [id]);
    return job ?? null;
  }

  /**
   * Stores a new job (one statement, on `em`) only while its owner has fewer than `max` jobs QUEUED or RUNNING;
   * true when stored. Callers hold the owner's lock (two at once could both count `max - 1`).
   */
  insertIfFewerActive(job: GenerationJob, max: number, em: EntityManager = this.plain): Promise<boolean> {
    return this.sql.insertIfFewer(em, job, ACTIVE_STATUSES, max);
  }

  /** Jobs of `ownerId` QUEUED or RUNNING, read on `em`. */
  countActive(ownerId: string, em: EntityManager = this.plain): Promise<number> {
    return this.sql.count(em, ownerId, ACTIVE_STATUSES);
  }

  /**
   * Takes a QUEUED job for run `token` in one statement: RUNNING, a lease until `leaseUntil`, one more attempt and
   * sequence number (the RUNNING event's). Null when the job is not QUEUED (gone, ended, or RUNNING already): the
   * caller reads it and decides.
   */
  claimQueued(id: string, token: string, leaseUntil: Date, now = new Date()): Promise<GenerationJob | null> {
    return this.sql.claimQueued(this.plain, id, token, leaseUntil, now);
  }

  /** RUNNING jobs whose lease lapsed before `now`, longest lapsed first: candidates for the stalled-job sweep. */
  findLapsed(now: Date, limit: number): Promise<GenerationJob[]> {
    return this.fork().find(
      GenerationJob,
      { status: GenerationStatus.RUNNING, leaseExpiresAt: { $lt: now } },
      { orderBy: { leaseExpiresAt: 'asc' }, limit },
    );
  }

  /**
   * Sets the lease of run `runToken` on its RUNNING job to `until` (renewing it, or releasing it with a time
   * already past); false when that run no longer owns the job. The sequence is left alone: a lease is no event,
   * and the run's own compare-and-set writes must not take it for a competing write.
   */
  async setLease(id: string, runToken: string, until: Date): Promise<boolean> {
    const affected = await this.sql.update(
      this.plain,
      { leaseExpiresAt: until },
      { id, runToken, status: GenerationStatus.RUNNING },
    );
    return affected === 1;
  }

  /**
   * Applies `changes` and bumps the sequence by `steps` (the events the write stands for, each owning one of the
   * new numbers) if the row still has `job.sequence` and passes `guard`. On success `job` (the caller's copy)
   * reflects the write and true is returned; false means someone else wrote first.
   */
  async advance(job: GenerationJob, changes: JobChanges, guard: AdvanceGuard, steps = 1): Promise<boolean> {
    const now = new Date();
    const em = this.plain;
    const equal: Record<string, unknown> = { id: job.id, sequence: job.sequence };
    if (guard.runToken !== undefined) equal.runToken = guard.runToken;
    const statuses = this.sql.in(em, 'status', guard.statuses);
    const lease = guard.leaseFreeAt && this.sql.nullOrBefore(em, 'leaseExpiresAt', guard.leaseFreeAt);
    const extra = lease
      ? { sql: `${statuses.sql} and ${lease.sql}`, params: [...statuses.params, ...lease.params] }
      : statuses;
    const affected = await this.sql.update(
      em,
      { ...changes, sequence: job.sequence + steps, updatedAt: now },
      equal,
      extra,
    );
    if (affected !== 1) return false;
    Object.assign(job, changes, { sequence: job.sequence + steps, updatedAt: now });
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

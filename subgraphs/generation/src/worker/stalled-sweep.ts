import { jobFailure } from '../errors';
import { GenerationStatus, type GenerationJob } from '../generation-job/generation-job.entity';
import type { JobStore } from '../generation-job/job-store';
import { GenerationEventType, type JobEventPublisher } from '../generation-job/job-events';
import type { JobMetrics } from '../metrics/job-metrics';
import type { Lock } from '@atrium/platform/lock';
import type { Logger } from '@atrium/platform/logging';

export interface StalledSweepOptions {
  /** Runs a job may have in all (GENERATION_JOB_ATTEMPTS): a lapsed job with runs left is queued again. */
  attempts: number;
  /**
   * Puts a lapsed job on the queue again. Every sweeper must use the same queue job id for the same lapsed run
   * (the queue then holds it once however many sweepers got this far).
   */
  requeue: (job: GenerationJob) => Promise<void>;
  /** At most this many jobs per sweep, longest lapsed first. Default 100. */
  limit?: number;
  now?: Date;
}

export interface SweptJob {
  job: GenerationJob;
  /** `requeued`: QUEUED again for another worker; `failed`: no attempt was left, FAILED with JOB_STALLED. */
  outcome: 'requeued' | 'failed';
}

/**
 * Takes back jobs left RUNNING whose lease lapsed (their worker died, or lost the database through its renewals):
 * one with attempts left goes back to the queue as QUEUED with its partial output dropped; one without is FAILED
 * with JOB_STALLED. Each write is a compare-and-set on the job's sequence and run token as read and on its lease
 * still being lapsed, so a second sweeper, a late write of the dead run or a renewal by a run that was only slow
 * can never both win: a job is taken back exactly once, and a job whose worker renewed its lease is left alone.
 *
 * A job is put on the queue before its row says QUEUED: a sweep dying in between leaves it lapsed for the next
 * sweep rather than QUEUED with nothing queued. A worker taking that delivery first takes the job over itself,
 * which changes its sequence and so makes this write lose; either way the job runs once more.
 */
export async function sweepStalledJobs(store: JobStore, options: StalledSweepOptions): Promise<SweptJob[]> {
  const now = options.now ?? new Date();
  const candidates = await store.findLapsed(now, options.limit ?? 100);
  const swept: SweptJob[] = [];
  for (const job of candidates) {
    const guard = {
      statuses: [GenerationStatus.RUNNING],
      leaseFreeAt: now,
      ...(job.runToken !== null && { runToken: job.runToken }),
    };
    if (job.attempts < options.attempts) {
      await options.requeue(job);
      const won = await store.advance(
        job,
        {
          status: GenerationStatus.QUEUED,
          runToken: null,
          leaseExpiresAt: null,
          reservedMicros: 0,
          output: null,
          progressBp: 0,
          provider: null,
          model: null,
          providerKeyOwner: null,
        },
        guard,
      );
      if (won) swept.push({ job, outcome: 'requeued' });
      continue;
    }
    const won = await store.advance(
      job,
      {
        ...jobFailure('JOB_STALLED', 'The worker running this job stopped and no attempt was left', true),
        status: GenerationStatus.FAILED,
        finishedAt: now,
        reservedMicros: 0,
      },
      guard,
    );
    if (won) swept.push({ job, outcome: 'failed' });
  }
  return swept;
}

export interface StalledSweeperDeps {
  store: JobStore;
  lock: Lock;
  publisher: JobEventPublisher;
  metrics: JobMetrics;
  log: Logger;
  attempts: number;
  requeue: (job: GenerationJob) => Promise<void>;
  intervalMs: number;
}

/**
 * Runs `sweepStalledJobs` every `intervalMs` in each worker, under a platform Lock so one replica sweeps at a
 * time (the compare-and-set keeps a job taken back once even if two did). A failed sweep (database, Redis or the
 * queue down) is logged and tried again on the next tick.
 */
export class StalledSweeper {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly deps: StalledSweeperDeps) {}

  start(): void {
    this.timer ??= setInterval(() => {
      this.inFlight ??= this.sweepOnce().finally(() => (this.inFlight = undefined));
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** One sweep under the lock; the jobs it took back are published and counted. */
  async sweepOnce(): Promise<void> {
    const { store, lock, publisher, metrics, log, attempts, requeue, intervalMs } = this.deps;
    try {
      const swept = await lock.withLock(SWEEP_LOCK, intervalMs, () =>
        sweepStalledJobs(store, { attempts, requeue }),
      );
      for (const { job, outcome } of swept ?? []) {
        metrics.jobSwept(job.kind, outcome);
        if (outcome === 'requeued') {
          // The subscriber drops the dead run's output, as when a worker takes a job over.
          await publisher.publish(job, GenerationEventType.SNAPSHOT, {
            outputReset: true,
            message: 'The worker running this job stopped; the job is queued again',
          });
          log.warn(
            { jobId: job.id, attempt: job.attempts },
            'stalled generation job queued again by the sweep',
          );
        } else {
          await publisher.publish(
            job,
            GenerationEventType.STATUS,
            job.errorMessage ? { message: job.errorMessage } : {},
          );
          log.warn({ jobId: job.id, errorCode: job.errorCode }, 'stalled generation job failed by the sweep');
        }
      }
    } catch (error) {
      log.warn({ err: error }, 'stalled-job sweep failed; trying again on the next tick');
    }
  }
}

const SWEEP_LOCK = 'generation:stalled-sweep';

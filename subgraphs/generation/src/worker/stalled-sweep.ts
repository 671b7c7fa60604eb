import { jobFailure } from '../errors';
import { GenerationStatus, type GenerationJob } from '../generation-job/generation-job.entity';
import type { JobStore } from '../generation-job/job-store';
import { GenerationEventType, type JobEventPublisher } from '../generation-job/job-events';
import type { JobMetrics } from '../metrics/job-metrics';
import type { Lock } from '@atrium/platform/lock';
import type { Logger } from '@atrium/platform/logging';

export interface StalledSweepOptions {
  /** A RUNNING job with no write for this long is taken for stalled (its worker is gone). */
  staleAfterMs: number;
  /** At most this many jobs per sweep, oldest first. Default 100. */
  limit?: number;
  now?: Date;
}

/**
 * Fails jobs left RUNNING with no write for `staleAfterMs` (a dead worker the queue gave up on, a database outage
 * through every attempt) with JOB_STALLED. Each write is a compare-and-set on the job's sequence and run token as
 * read, so a second sweeper or a late write of the old run can never both win: a job is swept exactly once, and
 * a job its worker touched since the read is left alone. Returns the jobs this call swept (to publish and count).
 *
 * The job's `updatedAt` is its sign of life: a worker writes output deltas while it streams. `staleAfterMs` must
 * therefore exceed the longest silent provider call (the provider timeout times its attempts).
 */
export async function sweepStalledJobs(
  store: JobStore,
  options: StalledSweepOptions,
): Promise<GenerationJob[]> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.staleAfterMs);
  const candidates = await store.findRunningSince(cutoff, options.limit ?? 100);
  const swept: GenerationJob[] = [];
  for (const job of candidates) {
    const won = await store.advance(
      job,
      {
        ...jobFailure('JOB_STALLED', 'The worker running this job stopped and no worker took it over', true),
        status: GenerationStatus.FAILED,
        finishedAt: now,
        reservedMicros: 0,
      },
      { statuses: [GenerationStatus.RUNNING], ...(job.runToken !== null && { runToken: job.runToken }) },
    );
    if (won) swept.push(job);
  }
  return swept;
}

export interface StalledSweeperDeps {
  store: JobStore;
  lock: Lock;
  publisher: JobEventPublisher;
  metrics: JobMetrics;
  log: Logger;
  stalledAfterMs: number;
  intervalMs: number;
}

/**
 * Runs `sweepStalledJobs` every `intervalMs` in each worker, under a platform Lock so one replica sweeps at a
 * time (the compare-and-set keeps a job swept once even if two did). A failed sweep (database or Redis down) is
 * logged and tried again on the next tick.
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

  /** One sweep under the lock; the jobs it failed are published and counted. */
  async sweepOnce(): Promise<void> {
    const { store, lock, publisher, metrics, log, stalledAfterMs, intervalMs } = this.deps;
    try {
      const swept = await lock.withLock(SWEEP_LOCK, intervalMs, () =>
        sweepStalledJobs(store, { staleAfterMs: stalledAfterMs }),
      );
      for (const job of swept ?? []) {
        metrics.jobSwept(job.kind);
        await publisher.publish(
          job,
          GenerationEventType.STATUS,
          job.errorMessage ? { message: job.errorMessage } : {},
        );
        log.warn({ jobId: job.id, errorCode: job.errorCode }, 'stalled generation job failed by the sweep');
      }
    } catch (error) {
      log.warn({ err: error }, 'stalled-job sweep failed; trying again on the next tick');
    }
  }
}

const SWEEP_LOCK = 'generation:stalled-sweep';

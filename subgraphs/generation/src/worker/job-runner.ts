import { jobFailure } from '../errors';
import { randomUUID } from 'node:crypto';
import { runWithRequestContext, type Logger } from '@atrium/platform/logging';
import { inSpan, SpanKind, type Tracer } from '@atrium/platform/tracing';
import type { QueueJob } from '@atrium/platform/queue';
import { GenerationEventType, type JobEventPublisher } from '../generation-job/job-events';
import {
  ACTIVE_STATUSES,
  GenerationStatus,
  type GenerationJob,
} from '../generation-job/generation-job.entity';
import type { JobStore } from '../generation-job/job-store';
import { AllProvidersFailedError, OwnKeyRejectedError } from '../model-router/router';
import { BudgetExceededError } from '../generation-job/budget';
import { JobExecution, type ExecutionDeps } from './job-execution';
import type { QueuedGeneration } from '../generation-job/job-queue';
import { JobWriter } from './job-writer';
import { JobCancelledError, LostOwnershipError, WorkerStoppingError, type RunningJobs } from './run-signals';

export interface JobRunnerDeps extends ExecutionDeps {
  store: JobStore;
  publisher: JobEventPublisher;
  running: RunningJobs;
  log: Logger;
}

/**
 * The queue handler. Delivery is at least once, so the handler is idempotent: a job already finished is left
 * alone, a job RUNNING under a live lease (another run holds it) is left to that run, and a job found RUNNING with
 * its lease lapsed or released (its worker died, or the queue retries it) is taken over with a new run token,
 * which fences off every later write of the previous run. Exactly one terminal state is ever written.
 */
export class JobRunner {
  constructor(private readonly deps: JobRunnerDeps) {}

  private tracer: Tracer | undefined;

  /** The worker process's tracer (its HTTP shell's), once it exists; until then no span is made. */
  bindTracer(tracer: Tracer | undefined): void {
    this.tracer = tracer;
  }

  /**
   * Runs the job inside its request's context: every log line and provider call carries its correlation id, and
   * with spans exported, the run is a CONSUMER span child of the span that queued it.
   */
  readonly handle = (queued: QueueJob<QueuedGeneration>): Promise<void> => {
    const { requestId, traceId, spanId } = queued.data;
    if (!requestId) return this.run(queued);
    const context = {
      requestId,
      traceId,
      ...(spanId && { spanId }),
      ...(this.tracer && { tracer: this.tracer }),
    };
    return runWithRequestContext(context, () =>
      inSpan('generation.job', SpanKind.CONSUMER, () => this.run(queued), {
        'messaging.message.id': queued.id,
      }),
    );
  };

  private readonly run = async (queued: QueueJob<QueuedGeneration>): Promise<void> => {
    const claim = await this.claim(queued.data.jobId);
    if (!claim) return;
    const { job, token } = claim;
    const { running, publisher, log, metrics } = this.deps;
    if (!claim.restarted && job.attempts === 1)
      metrics?.jobStarted(job.kind, (Date.now() - job.createdAt.getTime()) / 1000);

    const controller = running.start(job.id);
    const lease = this.keepLease(job.id, token);
    const stop = () => controller.abort(new WorkerStoppingError());
    queued.signal.addEventListener('abort', stop, { once: true });
    if (queued.signal.aborted) stop();
    const writer = new JobWriter(job, token, {
      store: this.deps.store,
      publisher,
      intervalMs: this.deps.settings.deltaIntervalMs,
      log,
      abort: (reason) => controller.abort(reason),
    });
    const execution = new JobExecution(job, writer, this.deps);
    try {
      if (claim.restarted)
        writer.announce(GenerationEventType.SNAPSHOT, {
          outputReset: true,
          message: 'The worker running this job stopped; another worker restarts it',
        });
      else writer.announce(GenerationEventType.STATUS);
      await execution.run(controller.signal);
      this.countEnded(job);
      log.info(
        {
          jobId: job.id,
          status: job.status,
          provider: job.provider,
          cached: job.cached,
          attempt: job.attempts,
        },
        'generation job ended',
      );
    } catch (thrown) {
      const error = controller.signal.aborted ? (controller.signal.reason as unknown) : thrown;
      // The run's start reaches subscribers before whatever ends it.
      await writer.publishAnnounced();
      execution.abandonCurrentAttempt();
      await this.settle(job.id, token, job.attempts, execution, error);
    } finally {
      clearInterval(lease);
      // Nothing is left to announce after the run's last write; this only guards a path that made none.
      await writer.publishAnnounced();
      writer.dispose();
      running.finish(job.id, controller);
      queued.signal.removeEventListener('abort', stop);
    }
  };

  private async claim(
    jobId: string,
  ): Promise<{ job: GenerationJob; token: string; restarted: boolean } | null> {
    // The usual case, a QUEUED job, in one statement; anything else is read first and decided below.
    const fresh = randomUUID();
    const leaseUntil = new Date(Date.now() + this.deps.settings.jobLeaseMs);
    const queued = await this.deps.store.claimQueued(jobId, fresh, leaseUntil);
    if (queued) return { job: queued, token: fresh, restarted: false };
    for (let tries = 0; tries < 5; tries++) {
      const job = await this.deps.store.find(jobId);
      if (!job || !ACTIVE_STATUSES.includes(job.status)) return null;
      const now = new Date();
      if (
        job.status === GenerationStatus.RUNNING &&
        job.leaseExpiresAt !== null &&
        job.leaseExpiresAt >= now
      ) {
        this.deps.log.info({ jobId }, 'generation job held by a live run; this delivery leaves it');
        return null;
      }
      const restarted = job.status === GenerationStatus.RUNNING;
      const token = randomUUID();
      const claimed = await this.deps.store.advance(
        job,
        {
          status: GenerationStatus.RUNNING,
          runToken: token,
          leaseExpiresAt: new Date(now.getTime() + this.deps.settings.jobLeaseMs),
          attempts: job.attempts + 1,
          startedAt: job.startedAt ?? new Date(),
          ...(restarted
            ? { output: null, progressBp: 0, provider: null, model: null, providerKeyOwner: null }
            : {}),
        },
        // Taking a RUNNING job over needs its lease still lapsed: a run that renewed meanwhile keeps it.
        { statuses: ACTIVE_STATUSES, ...(restarted && { leaseFreeAt: now }) },
      );
      if (claimed) return { job, token, restarted };
    }
    return null;
  }

  /**
   * Renews the run's lease every third of GENERATION_JOB_LEASE_MS while this process lives; a renewal the row
   * refuses (the job ended, or another run took it) stops the renewals, and the run finds out at its next write.
   */
  private keepLease(jobId: string, token: string): NodeJS.Timeout {
    const { store, settings, log } = this.deps;
    const timer = setInterval(
      () => {
        store.setLease(jobId, token, new Date(Date.now() + settings.jobLeaseMs)).then(
          (held) => {
            if (!held) clearInterval(timer);
          },
          (error: unknown) =>
            log.warn({ err: error, jobId }, 'could not renew the lease of a generation job; trying again'),
        );
      },
      Math.ceil(settings.jobLeaseMs / 3),
    );
    timer.unref();
    return timer;
  }

  /** Gives the job up for the queue's next delivery, which may then take it over at once. */
  private async releaseLease(jobId: string, token: string): Promise<void> {
    await this.deps.store.setLease(jobId, token, new Date()).catch((error: unknown) => {
      // The lease then lapses by itself and the sweep or the next delivery takes the job over.
      this.deps.log.warn({ err: error, jobId }, 'could not release the lease of a generation job');
    });
  }

  private async settle(
    jobId: string,
    token: string,
    attempt: number,
    execution: JobExecution,
    error: unknown,
  ): Promise<void> {
    const { log } = this.deps;
    if (error instanceof WorkerStoppingError) {
      await this.releaseLease(jobId, token);
      throw error;
    }
    if (error instanceof LostOwnershipError) return;
    if (error instanceof JobCancelledError) return this.recordCancelledSpend(jobId, token, execution);
    const expected =
      error instanceof AllProvidersFailedError ||
      error instanceof BudgetExceededError ||
      error instanceof OwnKeyRejectedError;
    // Counted on the job, not the delivery: a run the sweep took back and queued again spent an attempt too.
    if (!expected && attempt < this.deps.settings.jobAttempts) {
      log.warn({ err: error, jobId, attempt }, 'generation run failed; the queue will retry it');
      await this.releaseLease(jobId, token);
      throw error;
    }
    if (!expected) log.error({ err: error, jobId }, 'generation run failed on its last attempt');
    const failure =
      error instanceof AllProvidersFailedError ||
      error instanceof BudgetExceededError ||
      error instanceof OwnKeyRejectedError
        ? jobFailure(error.code, error.message, error.retryable)
        : jobFailure('INTERNAL_SERVER_ERROR', 'The job failed unexpectedly', true);
    const { job, changed } = await this.deps.store.transition(jobId, (current) =>
      current.runToken !== token || current.status !== GenerationStatus.RUNNING
        ? null
        : {
            changes: {
              ...failure,
              status: GenerationStatus.FAILED,
              finishedAt: new Date(),
              reservedMicros: 0,
              promptTokens: current.promptTokens + execution.wasted.promptTokens,
              completionTokens: current.completionTokens + execution.wasted.completionTokens,
              costMicros: current.costMicros + execution.wasted.micros,
            },
            guard: { statuses: [GenerationStatus.RUNNING], runToken: token },
          },
    );
    if (!changed || !job) return;
    this.countEnded(job);
    await this.deps.publisher.publish(job, GenerationEventType.STATUS, { message: failure.errorMessage });
    log.info(
      { jobId, status: job.status, errorCode: failure.errorCode, attempt: job.attempts },
      'generation job ended',
    );
  }

  private countEnded(job: GenerationJob): void {
    const seconds =
      job.startedAt && job.finishedAt ? (job.finishedAt.getTime() - job.startedAt.getTime()) / 1000 : null;
    this.deps.metrics?.jobEnded(job.kind, job.status, seconds);
  }

  /** A cancelled run still spent what it streamed; record it (and release any reservation) without an event. */
  private async recordCancelledSpend(jobId: string, token: string, execution: JobExecution): Promise<void> {
    const { wasted } = execution;
    await this.deps.store.transition(jobId, (current) =>
      current.runToken !== token ||
      current.status !== GenerationStatus.CANCELLED ||
      (wasted.micros === 0 && wasted.completionTokens === 0 && current.reservedMicros === 0)
        ? null
        : {
            changes: {
              reservedMicros: 0,
              promptTokens: current.promptTokens + wasted.promptTokens,
              completionTokens: current.completionTokens + wasted.completionTokens,
              costMicros: current.costMicros + wasted.micros,
            },
            guard: { statuses: [GenerationStatus.CANCELLED], runToken: token },
          },
    );
  }
}

import { spanIn, SpanKind } from '@atrium/platform/tracing';
import type { EntityManager } from '@mikro-orm/core';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Principal } from '@atrium/platform/auth';
import type { Lock } from '@atrium/platform/lock';
import type { Logger, RequestContext } from '@atrium/platform/logging';
import type { JobQueue } from '@atrium/platform/queue';
import type { RateLimiter } from '@atrium/platform/rate-limit';
import type { GenerationSettings } from '../config';
import { errors, jobFailure } from '../errors';
import { GenerationEventType, type JobEventPublisher } from './job-events';
import { queuedTrace, type QueuedGeneration } from './job-queue';
import { ACTIVE_STATUSES, GenerationJob, GenerationStatus } from './generation-job.entity';
import type { GenerateInput } from './generation-job.input';
import type { JobStore } from './job-store';
import { admitNewJob, enforceLimits } from './limits';
import { withUserLock } from './user-lock';
import { validateGenerateInput } from './validation';

export interface GenerationServiceDeps {
  store: JobStore;
  queue: JobQueue<QueuedGeneration>;
  publisher: JobEventPublisher;
  rateLimiter: RateLimiter;
  lock: Lock;
  settings: GenerationSettings;
  providerIds: readonly string[];
  log: Logger;
}

export function canSee(principal: Principal, job: GenerationJob): boolean {
  return principal.userId === job.ownerId || principal.roles.includes('ADMIN');
}

/** The use cases of jobs: create, cancel, retry. Reads live in the resolvers (through the loader). */
export class GenerationService {
  constructor(private readonly deps: GenerationServiceDeps) {}

  /**
   * Stores a QUEUED job and enqueues it; never waits for a model. Same idempotency key + user → same job.
   * `em`: the request's entity manager, asked for only when needed (an idempotency key, a daily budget).
   * `trace`: the request's correlation, carried to the worker with the job.
   */
  async generate(
    em: () => EntityManager,
    principal: Principal,
    input: GenerateInput,
    trace?: Readonly<RequestContext>,
  ): Promise<GenerationJob> {
    const userId = principal.userId!;
    const valid = validateGenerateInput(input, this.deps.providerIds);
    if (valid.idempotencyKey) {
      const existing = await em().findOne(GenerationJob, {
        ownerId: userId,
        idempotencyKey: valid.idempotencyKey,
      });
      if (existing) return this.replay(existing, valid.kind, valid.prompt);
    }
    const job = Object.assign(new GenerationJob(), {
      ownerId: userId,
      kind: valid.kind,
      title: valid.title,
      prompt: valid.prompt,
      inputs: valid.battlecard ? JSON.stringify(valid.battlecard) : null,
      providerPreference: valid.provider,
      idempotencyKey: valid.idempotencyKey,
      sequence: 1,
    });
    try {
      await withUserLock(this.deps.lock, `generation:user:${userId}`, () => admitNewJob(em, job, this.deps));
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException) || !valid.idempotencyKey) throw error;
      // Two requests with one key raced; the other one stored the job.
      const existing = await em()
        .fork()
        .findOne(GenerationJob, { ownerId: userId, idempotencyKey: valid.idempotencyKey });
      if (existing) return this.replay(existing, valid.kind, valid.prompt);
      throw error;
    }
    await this.deps.publisher.publish(job, GenerationEventType.STATUS);
    await this.enqueue(job, trace);
    return job;
  }

  /** Cancels a QUEUED or RUNNING job; the worker running it (in any process) aborts its provider call. */
  async cancel(principal: Principal, id: string): Promise<GenerationJob> {
    const { job, changed } = await this.deps.store.transition(id, (current) => {
      if (!canSee(principal, current)) throw notFound();
      if (current.status === GenerationStatus.CANCELLED) return null;
      if (!ACTIVE_STATUSES.includes(current.status))
        throw errors.CONFLICT(`The job already ended (${current.status}); it cannot be cancelled`);
      return {
        changes: { status: GenerationStatus.CANCELLED, finishedAt: new Date(), reservedMicros: 0 },
        guard: { statuses: ACTIVE_STATUSES },
      };
    });
    if (!job) throw notFound();
    if (changed) {
      await this.deps.publisher.requestCancel(job.id);
      await this.deps.publisher.publish(job, GenerationEventType.STATUS, { message: 'Cancelled' });
    }
    return job;
  }

  /** Queues a FAILED or CANCELLED job again, under the same limits as a new one. */
  async retry(
    em: EntityManager,
    principal: Principal,
    id: string,
    trace?: Readonly<RequestContext>,
  ): Promise<GenerationJob> {
    const found = await this.deps.store.find(id);
    if (!found || !canSee(principal, found)) throw notFound();
    const { job, changed } = await withUserLock(
      this.deps.lock,
      `generation:user:${found.ownerId}`,
      async () => {
        await enforceLimits(em, found.ownerId, this.deps);
        return this.deps.store.transition(id, (current) => {
          if (current.status !== GenerationStatus.FAILED && current.status !== GenerationStatus.CANCELLED)
            throw errors.CONFLICT(
              `Only a FAILED or CANCELLED job can be retried; this one is ${current.status}`,
            );
          return {
            changes: {
              status: GenerationStatus.QUEUED,
              runs: current.runs + 1,
              runToken: null,
              leaseExpiresAt: null,
              progressBp: 0,
              output: null,
              provider: null,
              model: null,
              cached: false,
              errorCode: null,
              errorMessage: null,
              errorRetryable: null,
              startedAt: null,
              finishedAt: null,
            },
            guard: { statuses: [GenerationStatus.FAILED, GenerationStatus.CANCELLED] },
          };
        });
      },
    );
    if (!job) throw notFound();
    if (changed) {
      await this.deps.publisher.publish(job, GenerationEventType.STATUS, { message: 'Queued again' });
      await this.enqueue(job, trace);
    }
    return job;
  }

  private replay(existing: GenerationJob, kind: string, prompt: string): GenerationJob {
    if (existing.kind !== kind || existing.prompt !== prompt)
      throw errors.CONFLICT('This idempotencyKey was already used for a different request', {
        field: 'idempotencyKey',
      });
    return existing;
  }

  /**
   * Puts the job's current run on the queue; the queue job id (`<job>.<run>`) makes a repeated enqueue a no-op.
   * When the queue is unreachable the job is marked FAILED (retryable) rather than left QUEUED forever.
   */
  private async enqueue(job: GenerationJob, trace: Readonly<RequestContext> | undefined): Promise<void> {
    try {
      await spanIn(trace, 'generation.enqueue', SpanKind.PRODUCER, (traced) =>
        this.deps.queue.add(
          'generate',
          { jobId: job.id, ...queuedTrace(traced) },
          { jobId: `${job.id}.${job.runs}`, attempts: this.deps.settings.jobAttempts, backoffMs: 1000 },
        ),
      );
    } catch (error) {
      this.deps.log.error(
        { err: error, jobId: job.id, requestId: trace?.requestId },
        'could not enqueue a generation job',
      );
      const { job: failed, changed } = await this.deps.store.transition(job.id, (current) =>
        current.status !== GenerationStatus.QUEUED
          ? null
          : {
              changes: {
                status: GenerationStatus.FAILED,
                finishedAt: new Date(),
                ...jobFailure('QUEUE_UNAVAILABLE', 'The job queue was unreachable; retry the job', true),
              },
              guard: { statuses: [GenerationStatus.QUEUED] },
            },
      );
      if (changed && failed) await this.deps.publisher.publish(failed, GenerationEventType.STATUS);
      throw errors.GENERATION_UNAVAILABLE('The job queue is unreachable; the job was stored as FAILED', {
        jobId: job.id,
      });
    }
  }
}

export function notFound() {
  return errors.NOT_FOUND('Generation job not found');
}

import type { EventBus } from '@atrium/platform/events';
import type { Logger } from '@atrium/platform/logging';
import { GenerationJob, type GenerationKind, type GenerationStatus } from './generation-job.entity';

export enum GenerationEventType {
  SNAPSHOT = 'SNAPSHOT',
  STATUS = 'STATUS',
  PROGRESS = 'PROGRESS',
  OUTPUT_DELTA = 'OUTPUT_DELTA',
}

/** A job as it travels on the event bus: everything but the prompt (immutable, loaded on demand). */
export interface JobView {
  id: string;
  ownerId: string;
  kind: GenerationKind;
  title: string;
  status: GenerationStatus;
  progressBp: number;
  /** The whole output on SNAPSHOT and STATUS events; null on deltas, which carry only their `delta`. */
  output: string | null;
  provider: string | null;
  model: string | null;
  cached: boolean;
  attempts: number;
  sequence: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
  errorCode: string | null;
  errorMessage: string | null;
  errorRetryable: boolean | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobEventPayload {
  sequence: number;
  type: GenerationEventType;
  delta: string | null;
  message: string | null;
  /** True when the output so far is void (a failover or a takeover restarted it); `job.output` is the new start. */
  outputReset: boolean;
  job: JobView;
}

/** Per job: every event of one job, in sequence order as published. */
export const jobTopic = (jobId: string): string => `generation.job.${jobId}`;
/** Per user: every event of every job the user owns. */
export const userTopic = (userId: string): string => `generation.user.${userId}`;
/** Cancellation requests, heard by every worker process. */
export const CANCEL_TOPIC = 'generation.cancel';

export function toView(job: GenerationJob, withOutput: boolean): JobView {
  return {
    id: job.id,
    ownerId: job.ownerId,
    kind: job.kind,
    title: job.title,
    status: job.status,
    progressBp: job.progressBp,
    output: withOutput ? job.output : null,
    provider: job.provider,
    model: job.model,
    cached: job.cached,
    attempts: job.attempts,
    sequence: job.sequence,
    promptTokens: job.promptTokens,
    completionTokens: job.completionTokens,
    costMicros: job.costMicros,
    errorCode: job.errorCode,
    errorMessage: job.errorMessage,
    errorRetryable: job.errorRetryable,
    createdAt: iso(job.createdAt)!,
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
  };
}

/** A GenerationJob object (not managed by any entity manager) from a view, so field resolvers work on it. */
export function fromView(view: JobView): GenerationJob {
  const job = Object.assign(new GenerationJob(), view, {
    createdAt: new Date(view.createdAt),
    startedAt: view.startedAt ? new Date(view.startedAt) : null,
    finishedAt: view.finishedAt ? new Date(view.finishedAt) : null,
  });
  // Left undefined on purpose: the prompt field resolver loads it when a subscriber asks for it.
  (job as { prompt?: string }).prompt = undefined;
  return job;
}

function iso(date: Date | string | null): string | null {
  if (date === null) return null;
  return typeof date === 'string' ? date : date.toISOString();
}

export interface EventExtra {
  delta?: string;
  message?: string;
  outputReset?: boolean;
}

/** The event of `job` as it is now (its sequence is the event's). */
export function eventOf(
  job: GenerationJob,
  type: GenerationEventType,
  extra: EventExtra = {},
): JobEventPayload {
  const withOutput = type === GenerationEventType.SNAPSHOT || type === GenerationEventType.STATUS;
  return {
    sequence: job.sequence,
    type,
    delta: extra.delta ?? null,
    message: extra.message ?? null,
    outputReset: extra.outputReset ?? false,
    job: toView(job, withOutput),
  };
}

/**
 * Publishes job events on the job's and the owner's topics. Delivery is at-most-once (pub/sub): a failure is
 * logged, never thrown, because the job's state is already stored and subscribers re-read it (snapshot first).
 */
export class JobEventPublisher {
  constructor(
    private readonly events: EventBus,
    private readonly log: Logger,
  ) {}

  async publish(job: GenerationJob, type: GenerationEventType, extra: EventExtra = {}): Promise<void> {
    await this.publishAll([eventOf(job, type, extra)]);
  }

  /** Publishes events of one job in order, each on the job's and the owner's topic, in one round trip. */
  async publishAll(payloads: readonly JobEventPayload[]): Promise<void> {
    try {
      await this.events.publishAll(
        payloads.flatMap((payload) => [
          { topic: jobTopic(payload.job.id), payload },
          { topic: userTopic(payload.job.ownerId), payload },
        ]),
      );
    } catch (error) {
      const first = payloads[0];
      this.log.warn(
        { err: error, jobId: first?.job.id, sequence: first?.sequence },
        'could not publish a job event',
      );
    }
  }

  /** Asks whichever worker runs the job to abort it (the job is already CANCELLED in the database). */
  async requestCancel(jobId: string): Promise<void> {
    try {
      await this.events.publish(CANCEL_TOPIC, { jobId });
    } catch (error) {
      this.log.warn({ err: error, jobId }, 'could not publish a cancellation');
    }
  }
}

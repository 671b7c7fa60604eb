import type { EventBus } from '@atrium/platform/events';
import { CANCEL_TOPIC } from '../generation-job/job-events';

/** The job was cancelled (by its owner, from any process); the worker stops it and writes nothing more. */
export class JobCancelledError extends Error {
  readonly code = 'CANCELLED';
  constructor() {
    super('the job was cancelled');
    this.name = 'JobCancelledError';
  }
}

/** This worker no longer owns the job (another run took it over, or it ended meanwhile). */
export class LostOwnershipError extends Error {
  readonly code = 'LOST_OWNERSHIP';
  constructor() {
    super('another run owns this job now');
    this.name = 'LostOwnershipError';
  }
}

/** The worker is shutting down: the job goes back to the queue and another worker restarts it. */
export class WorkerStoppingError extends Error {
  readonly code = 'WORKER_STOPPING';
  constructor() {
    super('the worker is stopping');
    this.name = 'WorkerStoppingError';
  }
}

/**
 * The jobs this process is running, each with the controller that aborts its provider call. Cancellations are
 * heard on one event-bus topic shared by every worker process, so a cancel from any API process reaches the
 * worker running the job within the bus's latency (milliseconds), whichever process that is.
 */
export class RunningJobs {
  private readonly controllers = new Map<string, AbortController>();

  start(jobId: string): AbortController {
    const controller = new AbortController();
    this.controllers.set(jobId, controller);
    return controller;
  }

  finish(jobId: string, controller: AbortController): void {
    if (this.controllers.get(jobId) === controller) this.controllers.delete(jobId);
  }

  cancel(jobId: string): boolean {
    const controller = this.controllers.get(jobId);
    if (!controller || controller.signal.aborted) return false;
    controller.abort(new JobCancelledError());
    return true;
  }

  get size(): number {
    return this.controllers.size;
  }

  /** Subscribes to cancellations; resolves with the unsubscribe function once the subscription is active. */
  listen(events: EventBus): Promise<() => Promise<void>> {
    return events.subscribe<{ jobId?: unknown }>(CANCEL_TOPIC, (message) => {
      if (typeof message?.jobId === 'string') this.cancel(message.jobId);
    });
  }
}

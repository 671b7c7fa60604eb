import type { Logger } from '@atrium/platform/logging';
import {
  eventOf,
  GenerationEventType,
  type EventExtra,
  type JobEventPayload,
  type JobEventPublisher,
} from '../generation-job/job-events';
import { GenerationStatus, type GenerationJob } from '../generation-job/generation-job.entity';
import type { JobChanges, JobStore } from '../generation-job/job-store';
import { JobCancelledError, LostOwnershipError } from './run-signals';

/** A change with the event that announces it, waiting for the writer's next write. */
interface Step {
  changes: JobChanges;
  type: GenerationEventType;
  extra: EventExtra;
}

/**
 * Every write a worker run makes to its job, one at a time and in order, each persisted (compare-and-set on
 * sequence and run token) before its events are published — so a subscriber that reads a snapshot never misses
 * an event, and events leave in sequence order. Output deltas are coalesced: at most one delta event per
 * `intervalMs`, however fast the model streams. Everything due within one interval (a staged note, the output
 * so far, the final status) is one write: the sequence advances by one per event, each event carrying the job
 * as it stood at its own number.
 */
export class JobWriter {
  private chain: Promise<void> = Promise.resolve();
  private pending = '';
  /** Notes staged for the next write (in order), published before the output delta of that write. */
  private staged: Step[] = [];
  /** Events already stored (the run's start), published before the next write's events or within the interval. */
  private announced: JobEventPayload[] = [];
  private timer: NodeJS.Timeout | undefined;
  private expectedChars = 0;
  private failure: unknown;

  constructor(
    readonly job: GenerationJob,
    private readonly token: string,
    private readonly deps: {
      store: JobStore;
      publisher: JobEventPublisher;
      intervalMs: number;
      log: Logger;
      /** Called when a write shows the run has to stop (cancelled, taken over, or the store failed). */
      abort: (reason: unknown) => void;
    },
  ) {}

  /** Characters of output written or waiting to be written by this run. */
  get outputLength(): number {
    return (this.job.output?.length ?? 0) + this.pending.length;
  }

  delta(text: string): void {
    this.pending += text;
    this.schedule();
  }

  /**
   * A note that need not be stored at once (the provider a run starts with): written with whatever else is due
   * within the interval (the first output, or the end), so the run does not wait for it. Failures surface like
   * a delta's: through `abort` and the next awaited write.
   */
  stage(message: string, changes: JobChanges = {}): void {
    this.staged.push({ changes, type: GenerationEventType.PROGRESS, extra: { message } });
    this.schedule();
  }

  /**
   * An event whose change is stored already (the claim that started the run): published with the next write's
   * events, in one round trip, or on its own within the interval — not at once, since the run's first output or
   * its end usually follows within milliseconds. Subscribers still get every event in sequence order.
   */
  announce(type: GenerationEventType, extra: EventExtra = {}): void {
    this.announced.push(eventOf(this.job, type, extra));
    this.schedule();
  }

  /** Publishes announced events now, after any write in progress (before the runner publishes on its own). */
  publishAnnounced(): Promise<void> {
    this.clearTimer();
    const run = this.chain.then(() => this.publish([]));
    this.chain = run;
    return run;
  }

  expect(totalChars: number): void {
    this.expectedChars = totalChars;
  }

  /** Writes staged notes and pending output now. */
  flush(): Promise<void> {
    this.clearTimer();
    return this.enqueue(() => this.flushNow());
  }

  /** Discards this run's output so far; subscribers get a SNAPSHOT with `outputReset` and the reason. */
  reset(message: string): Promise<void> {
    this.clearTimer();
    this.pending = '';
    this.expectedChars = 0;
    return this.enqueue(async () => {
      // Staged notes came before the reset: they are written first (with the output they saw, then voided).
      const steps = this.takeDue();
      if (this.job.output)
        steps.push({
          changes: { output: null, progressBp: 0 },
          type: GenerationEventType.SNAPSHOT,
          extra: { message, outputReset: true },
        });
      await this.writeSteps(steps);
    });
  }

  /** A step worth telling subscribers (routing, a skip, a failover, a budget hold), stored before it returns. */
  note(message: string, changes: JobChanges = {}): Promise<void> {
    this.clearTimer();
    return this.enqueue(() =>
      this.writeSteps([
        ...this.takeDue(),
        { changes, type: GenerationEventType.PROGRESS, extra: { message } },
      ]),
    );
  }

  /** Writes staged notes, pending output and the terminal (or any status) change in one write; publishes the
   * status with the whole output. */
  async finish(changes: JobChanges, message?: string): Promise<void> {
    this.clearTimer();
    await this.enqueue(() =>
      this.writeSteps([...this.takeDue(), { changes, type: GenerationEventType.STATUS, extra: { message } }]),
    );
  }

  /** Waits for queued writes; rethrows the first write failure. */
  async settle(): Promise<void> {
    await this.chain;
    if (this.failure) throw this.failure;
  }

  dispose(): void {
    this.clearTimer();
  }

  private schedule(): void {
    if (this.timer || this.failure) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.enqueue(() => this.flushNow()).catch(() => undefined);
    }, this.deps.intervalMs);
  }

  private flushNow(): Promise<void> {
    return this.writeSteps(this.takeDue());
  }

  /** Staged notes, then the pending output as one delta: what the next write carries (and no longer waits). */
  private takeDue(): Step[] {
    const steps = this.staged;
    this.staged = [];
    if (this.pending) {
      const text = this.pending;
      this.pending = '';
      const output = (this.job.output ?? '') + text;
      steps.push({
        changes: { output, progressBp: this.progressFor(output.length) },
        type: GenerationEventType.OUTPUT_DELTA,
        extra: { delta: text },
      });
    }
    return steps;
  }

  /**
   * One compare-and-set write of every step's changes, the sequence advanced once per step; then each step's
   * event, with the job as it stood after that step (its own sequence number), in order.
   */
  private async writeSteps(steps: Step[]): Promise<void> {
    if (steps.length === 0) return this.publish([]);
    const events: JobEventPayload[] = [];
    const view = { ...this.job } as GenerationJob;
    const changes: JobChanges = {};
    for (const step of steps) {
      Object.assign(view, step.changes, { sequence: view.sequence + 1 });
      Object.assign(changes, step.changes);
      events.push(eventOf(view, step.type, step.extra));
    }
    await this.write(changes, steps.length);
    await this.publish(events);
  }

  /** The announced events, then `events`, in one round trip. */
  private async publish(events: JobEventPayload[]): Promise<void> {
    const all = this.announced.length > 0 ? [...this.announced, ...events] : events;
    this.announced = [];
    if (all.length > 0) await this.deps.publisher.publishAll(all);
  }

  private progressFor(chars: number): number {
    // Unknown length: approaches 95 % as output grows, so the bar moves but never claims to be done.
    const ratio = this.expectedChars > 0 ? chars / this.expectedChars : chars / (chars + 3000);
    return Math.round(Math.min(0.95, ratio) * 10_000);
  }

  private async write(changes: JobChanges, steps: number): Promise<void> {
    const { store } = this.deps;
    const guard = { statuses: [GenerationStatus.RUNNING], runToken: this.token };
    if (await store.advance(this.job, changes, guard, steps)) return;
    const fresh = await store.find(this.job.id);
    if (fresh?.status === GenerationStatus.CANCELLED) throw new JobCancelledError();
    throw new LostOwnershipError();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.failure) return;
      try {
        await step();
      } catch (error) {
        this.failure = error;
        this.clearTimer();
        this.deps.abort(error);
      }
    });
    this.chain = run;
    return run.then(() => {
      if (this.failure) throw this.failure;
    });
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

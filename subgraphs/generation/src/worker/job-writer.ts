import type { Logger } from '@atrium/platform/logging';
import { GenerationEventType, type JobEventPublisher } from '../generation-job/job-events';
import { GenerationStatus, type GenerationJob } from '../generation-job/generation-job.entity';
import type { JobChanges, JobStore } from '../generation-job/job-store';
import { JobCancelledError, LostOwnershipError } from './run-signals';

/**
 * Every write a worker run makes to its job, one at a time and in order, each persisted (compare-and-set on
 * sequence and run token) before its event is published — so a subscriber that reads a snapshot never misses
 * an event, and events leave in sequence order. Output deltas are coalesced: at most one write and one event
 * per `intervalMs`, however fast the model streams.
 */
export class JobWriter {
  private chain: Promise<void> = Promise.resolve();
  private pending = '';
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
    if (this.timer || this.failure) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.enqueue(() => this.flushNow()).catch(() => undefined);
    }, this.deps.intervalMs);
  }

  expect(totalChars: number): void {
    this.expectedChars = totalChars;
  }

  /** Writes pending output now (before a status change or at the end). */
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
      if (!this.job.output) return;
      await this.write({ output: null, progressBp: 0 });
      await this.deps.publisher.publish(this.job, GenerationEventType.SNAPSHOT, {
        message,
        outputReset: true,
      });
    });
  }

  /** A step worth telling subscribers (routing, a skip, a failover). */
  note(message: string, changes: JobChanges = {}): Promise<void> {
    return this.enqueue(async () => {
      await this.write(changes);
      await this.deps.publisher.publish(this.job, GenerationEventType.PROGRESS, { message });
    });
  }

  /** Flushes, then writes the terminal (or any status) change and publishes it with the whole output. */
  async finish(changes: JobChanges, message?: string): Promise<void> {
    await this.flush();
    await this.enqueue(async () => {
      await this.write(changes);
      await this.deps.publisher.publish(this.job, GenerationEventType.STATUS, { message });
    });
  }

  /** Waits for queued writes; rethrows the first write failure. */
  async settle(): Promise<void> {
    await this.chain;
    if (this.failure) throw this.failure;
  }

  dispose(): void {
    this.clearTimer();
  }

  private async flushNow(): Promise<void> {
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    const output = (this.job.output ?? '') + text;
    await this.write({ output, progressBp: this.progressFor(output.length) });
    await this.deps.publisher.publish(this.job, GenerationEventType.OUTPUT_DELTA, { delta: text });
  }

  private progressFor(chars: number): number {
    // Unknown length: approaches 95 % as output grows, so the bar moves but never claims to be done.
    const ratio = this.expectedChars > 0 ? chars / this.expectedChars : chars / (chars + 3000);
    return Math.round(Math.min(0.95, ratio) * 10_000);
  }

  private async write(changes: JobChanges): Promise<void> {
    const { store } = this.deps;
    if (
      await store.advance(this.job, changes, { statuses: [GenerationStatus.RUNNING], runToken: this.token })
    )
      return;
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

import type { JobEventPayload } from '../generation-job/job-events';

/**
 * The one rule for a job's event stream. Every job numbers its events 1, 2, 3… as it writes them; events
 * published by different processes (API, workers) can arrive out of order, and pub/sub can lose one (a Redis
 * restart). So, per job:
 * - an event at or below the last delivered sequence is a duplicate, or a SNAPSHOT already covered it: dropped;
 * - the next one is delivered at once, followed by every held event that continues it without a hole;
 * - a later one is held while the missing ones may still arrive. When the hole is still open `windowMs` after it
 *   opened, or more than `maxHeld` events are held, the job is re-read and its SNAPSHOT replaces what was missed:
 *   held events it covers are dropped, the ones after it follow it.
 * Nothing is ever delivered out of order, and nothing is skipped without a SNAPSHOT that covers it.
 */
export interface SequenceRule {
  /** How long a hole may stay open before the job is re-read. */
  windowMs: number;
  /** Events held for one job, at most, before it is re-read without waiting for the window. */
  maxHeld: number;
}

export const SEQUENCE_RULE: Readonly<SequenceRule> = Object.freeze({ windowMs: 1000, maxHeld: 500 });

interface JobSequence {
  /** The last sequence delivered (0: nothing yet). */
  last: number;
  held: Map<number, JobEventPayload>;
  /** When the current hole opened; null while there is none. */
  openedAt: number | null;
}

/**
 * The rule's state for the jobs of one subscription. Pure: time is passed in as `now` (milliseconds), so the
 * rule is tested without timers; `inSequence` drives it from an event stream.
 */
export class JobSequencer {
  private readonly jobs = new Map<string, JobSequence>();

  /**
   * @param maxJobs jobs remembered at most; the least recently seen without a hole are forgotten first. A
   *   forgotten job's late duplicate then looks like a hole and is repaired by a SNAPSHOT, never passed on.
   */
  constructor(
    private readonly rule: SequenceRule = SEQUENCE_RULE,
    private readonly maxJobs = Number.POSITIVE_INFINITY,
  ) {}

  /** Records a state sent to the subscriber outside the stream (the first SNAPSHOT) as delivered. */
  delivered(snapshot: JobEventPayload): void {
    const job = this.touch(snapshot.job.id);
    job.last = Math.max(job.last, snapshot.sequence);
  }

  /** An event as it arrives at `now`: what may be delivered now, in order (possibly nothing). */
  accept(event: JobEventPayload, now: number): JobEventPayload[] {
    const job = this.touch(event.job.id);
    if (event.sequence <= job.last) return [];
    job.held.set(event.sequence, event);
    return this.release(job, now);
  }

  /** The jobs whose hole must be repaired by a SNAPSHOT now: open for the window, or too many events held. */
  due(now: number): string[] {
    const due: string[] = [];
    for (const [id, job] of this.jobs) {
      if (job.openedAt === null) continue;
      if (now - job.openedAt >= this.rule.windowMs || job.held.size > this.rule.maxHeld) due.push(id);
    }
    return due;
  }

  /** When the earliest open hole falls due; undefined while there is none. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const job of this.jobs.values()) {
      if (job.openedAt === null) continue;
      const at = job.held.size > this.rule.maxHeld ? job.openedAt : job.openedAt + this.rule.windowMs;
      next = next === undefined ? at : Math.min(next, at);
    }
    return next;
  }

  /**
   * Applies the job's state re-read at `now`: its SNAPSHOT when newer than what was delivered, then the held
   * events that follow it. Null (the job is gone, or no longer the subscriber's) forgets the job and its held
   * events: there is nothing left to show of it. A SNAPSHOT that is not newer (a stale read) leaves the hole
   * open for another window.
   */
  resynced(jobId: string, snapshot: JobEventPayload | null, now: number): JobEventPayload[] {
    const job = this.jobs.get(jobId);
    if (!job) return [];
    if (!snapshot) {
      this.jobs.delete(jobId);
      return [];
    }
    const ready: JobEventPayload[] = [];
    if (snapshot.sequence > job.last) {
      job.last = snapshot.sequence;
      ready.push(snapshot);
      for (const sequence of job.held.keys()) if (sequence <= job.last) job.held.delete(sequence);
    }
    job.openedAt = null;
    return [...ready, ...this.release(job, now)];
  }

  private release(job: JobSequence, now: number): JobEventPayload[] {
    const ready: JobEventPayload[] = [];
    for (let next = job.held.get(job.last + 1); next; next = job.held.get(job.last + 1)) {
      job.held.delete(next.sequence);
      job.last = next.sequence;
      ready.push(next);
    }
    if (job.held.size === 0) job.openedAt = null;
    else job.openedAt ??= now;
    return ready;
  }

  private touch(jobId: string): JobSequence {
    let job = this.jobs.get(jobId);
    if (job) this.jobs.delete(jobId);
    else job = { last: 0, held: new Map(), openedAt: null };
    this.jobs.set(jobId, job);
    if (this.jobs.size > this.maxJobs) {
      for (const [id, candidate] of this.jobs) {
        if (candidate.held.size === 0 && id !== jobId) {
          this.jobs.delete(id);
          break;
        }
      }
    }
    return job;
  }
}

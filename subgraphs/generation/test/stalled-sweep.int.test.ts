import type { Database } from '@atrium/platform/database';
import { DATABASE_MODES, describeModes, Leftovers, openTestDatabase } from '@atrium/platform/testing';
import { entities, migrations } from '../src/database';
import { GenerationJob, GenerationStatus } from '../src/generation-job/generation-job.entity';
import { GenerationKind } from '../src/generation-job/generation-kind';
import { JobStore } from '../src/generation-job/job-store';
import { sweepStalledJobs } from '../src/worker/stalled-sweep';

const HOUR = 3_600_000;

describeModes(
  'stalled-job sweep',
  (mode) => {
    const leftovers = new Leftovers();
    let db: Database;
    let store: JobStore;
    afterEach(() => leftovers.dispose());
    beforeEach(async () => {
      db = await openTestDatabase('generation', mode, leftovers, { entities, migrations });
      store = new JobStore(() => db.fork());
    });

    const ATTEMPTS = 3;
    const queued: string[] = [];
    const requeue = async (job: GenerationJob) => void queued.push(`${job.id}.${job.runs}.${job.attempts}`);
    beforeEach(() => (queued.length = 0));

    /** A job stored as a worker left it: `status`, owned by run `runToken`, its lease lapsed `lapsedMs` ago. */
    async function storedJob(
      status: GenerationStatus,
      lapsedMs: number,
      { runToken = 'run-1', attempts = 1 }: { runToken?: string; attempts?: number } = {},
    ): Promise<string> {
      const em = db.fork();
      const job = Object.assign(new GenerationJob(), {
        ownerId: 'u-alice',
        kind: GenerationKind.SUMMARY,
        title: 'A summary',
        prompt: 'Summarise',
        status,
        runToken,
        attempts,
        output: 'half of it',
        provider: 'local',
        reservedMicros: 500,
        startedAt: new Date(Date.now() - HOUR),
        updatedAt: new Date(Date.now() - lapsedMs),
        leaseExpiresAt: new Date(Date.now() - lapsedMs),
      });
      await em.persistAndFlush(job);
      return job.id;
    }

    it('queues a lapsed job with attempts left again, once, and leaves live and finished jobs alone', async () => {
      const lapsed = await storedJob(GenerationStatus.RUNNING, HOUR);
      const live = await storedJob(GenerationStatus.RUNNING, -HOUR);
      const finished = await storedJob(GenerationStatus.SUCCEEDED, HOUR);

      // Two sweepers (two replicas) racing over the same rows: exactly one of them wins the job.
      const [first, second] = await Promise.all([
        sweepStalledJobs(store, { attempts: ATTEMPTS, requeue }),
        sweepStalledJobs(store, { attempts: ATTEMPTS, requeue }),
      ]);
      expect([...first, ...second].map(({ job, outcome }) => [job.id, outcome])).toEqual([
        [lapsed, 'requeued'],
      ]);
      // Both may have got as far as the queue, with the one queue job id of this lapsed run: it is queued once.
      expect([...new Set(queued)]).toEqual([`${lapsed}.1.1`]);
      expect(await sweepStalledJobs(store, { attempts: ATTEMPTS, requeue })).toEqual([]);

      const requeued = (await store.find(lapsed))!;
      expect(requeued).toMatchObject({
        status: GenerationStatus.QUEUED,
        runToken: null,
        leaseExpiresAt: null,
        output: null,
        provider: null,
        reservedMicros: 0,
        attempts: 1,
      });
      expect((await store.find(live))!.status).toBe(GenerationStatus.RUNNING);
      expect((await store.find(finished))!.status).toBe(GenerationStatus.SUCCEEDED);
    });

    it('fails a lapsed job with no attempt left with JOB_STALLED, once, without queueing it', async () => {
      const stalled = await storedJob(GenerationStatus.RUNNING, HOUR, { attempts: ATTEMPTS });
      const [first, second] = await Promise.all([
        sweepStalledJobs(store, { attempts: ATTEMPTS, requeue }),
        sweepStalledJobs(store, { attempts: ATTEMPTS, requeue }),
      ]);
      expect([...first, ...second].map(({ job, outcome }) => [job.id, outcome])).toEqual([
        [stalled, 'failed'],
      ]);
      expect(queued).toEqual([]);
      const swept = (await store.find(stalled))!;
      expect(swept.status).toBe(GenerationStatus.FAILED);
      expect(swept.error).toEqual(expect.objectContaining({ code: 'JOB_STALLED', retryable: true }));
      expect(swept.reservedMicros).toBe(0);
      expect(swept.finishedAt).not.toBeNull();
    });

    it('refuses a late write of the swept run, so the job keeps its one terminal state', async () => {
      const id = await storedJob(GenerationStatus.RUNNING, HOUR, {
        runToken: 'dead-run',
        attempts: ATTEMPTS,
      });
      const lateWorkerCopy = (await store.find(id))!;
      expect(await sweepStalledJobs(store, { attempts: ATTEMPTS, requeue })).toHaveLength(1);

      const late = await store.advance(
        lateWorkerCopy,
        { status: GenerationStatus.SUCCEEDED, output: 'too late' },
        { statuses: [GenerationStatus.RUNNING], runToken: 'dead-run' },
      );
      expect(late).toBe(false);
      expect(await store.setLease(id, 'dead-run', new Date(Date.now() + HOUR))).toBe(false);
      expect((await store.find(id))!.status).toBe(GenerationStatus.FAILED);
    });

    it('leaves a job whose run renewed its lease after the sweeper read it', async () => {
      const id = await storedJob(GenerationStatus.RUNNING, 1000, { runToken: 'slow-run' });
      // The run, only slow, renews between the sweeper's read and its write (here: while it queues the job).
      const renewing = async (job: GenerationJob) => {
        await requeue(job);
        expect(await store.setLease(job.id, 'slow-run', new Date(Date.now() + HOUR))).toBe(true);
      };
      expect(await sweepStalledJobs(store, { attempts: ATTEMPTS, requeue: renewing })).toEqual([]);
      expect((await store.find(id))!).toMatchObject({
        status: GenerationStatus.RUNNING,
        runToken: 'slow-run',
      });
    });

    it('loses to a worker that took the queued delivery before the sweep wrote QUEUED', async () => {
      const id = await storedJob(GenerationStatus.RUNNING, 1000);
      const takeOver = async (job: GenerationJob) => {
        await requeue(job);
        const fresh = (await store.find(job.id))!;
        const now = new Date();
        const claimed = await store.advance(
          fresh,
          { runToken: 'run-2', attempts: 2, leaseExpiresAt: new Date(now.getTime() + HOUR) },
          { statuses: [GenerationStatus.QUEUED, GenerationStatus.RUNNING], leaseFreeAt: now },
        );
        expect(claimed).toBe(true);
      };
      expect(await sweepStalledJobs(store, { attempts: ATTEMPTS, requeue: takeOver })).toEqual([]);
      expect((await store.find(id))!).toMatchObject({
        status: GenerationStatus.RUNNING,
        runToken: 'run-2',
        attempts: 2,
      });
    });
  },
  DATABASE_MODES,
);

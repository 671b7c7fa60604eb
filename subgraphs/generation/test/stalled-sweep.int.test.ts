import { openDatabase, type Database } from '@atrium/platform/database';
import {
  describeWithPostgres,
  freshPostgresDatabase,
  freshSqliteDatabase,
  Leftovers,
  type TestDatabase,
} from '@atrium/platform/testing';
import { entities, migrations } from '../src/database';
import { GenerationJob, GenerationStatus } from '../src/generation-job/generation-job.entity';
import { GenerationKind } from '../src/generation-job/generation-kind';
import { JobStore } from '../src/generation-job/job-store';
import { sweepStalledJobs } from '../src/worker/stalled-sweep';

const drivers = [
  { name: 'PostgreSQL', describeFor: describeWithPostgres, fresh: () => freshPostgresDatabase('generation') },
  { name: 'SQLite', describeFor: describe, fresh: () => freshSqliteDatabase() },
];

const HOUR = 3_600_000;

for (const { name, describeFor, fresh } of drivers) {
  describeFor(`stalled-job sweep on ${name}`, () => {
    const leftovers = new Leftovers();
    let db: Database;
    let store: JobStore;
    afterEach(() => leftovers.dispose());
    beforeEach(async () => {
      const target: TestDatabase = leftovers.add(await fresh(), (t) => t.drop());
      db = leftovers.add(
        await openDatabase({
          databaseUrl: target.databaseUrl,
          dataDir: target.dataDir,
          dbName: 'generation',
          entities,
          migrations,
        }),
        (d) => d.close(),
      );
      store = new JobStore(() => db.fork());
    });

    /** A job stored as a worker left it: `status`, owned by run `runToken`, last written `ageMs` ago. */
    async function storedJob(status: GenerationStatus, ageMs: number, runToken = 'run-1'): Promise<string> {
      const em = db.fork();
      const job = Object.assign(new GenerationJob(), {
        ownerId: 'u-alice',
        kind: GenerationKind.SUMMARY,
        title: 'A summary',
        prompt: 'Summarise',
        status,
        runToken,
        attempts: 1,
        reservedMicros: 500,
        startedAt: new Date(Date.now() - ageMs),
        updatedAt: new Date(Date.now() - ageMs),
      });
      await em.persistAndFlush(job);
      return job.id;
    }

    it('fails a job RUNNING past its lease with JOB_STALLED, once, and leaves live and finished jobs alone', async () => {
      const stalled = await storedJob(GenerationStatus.RUNNING, HOUR);
      const live = await storedJob(GenerationStatus.RUNNING, 0);
      const finished = await storedJob(GenerationStatus.SUCCEEDED, HOUR);

      // Two sweepers (two replicas) racing over the same rows: exactly one of them wins the job.
      const [first, second] = await Promise.all([
        sweepStalledJobs(store, { staleAfterMs: 60_000 }),
        sweepStalledJobs(store, { staleAfterMs: 60_000 }),
      ]);
      expect([...first, ...second].map((job) => job.id)).toEqual([stalled]);
      expect(await sweepStalledJobs(store, { staleAfterMs: 60_000 })).toEqual([]);

      const swept = (await store.find(stalled))!;
      expect(swept.status).toBe(GenerationStatus.FAILED);
      expect(swept.error).toEqual(expect.objectContaining({ code: 'JOB_STALLED', retryable: true }));
      expect(swept.reservedMicros).toBe(0);
      expect(swept.finishedAt).not.toBeNull();
      expect((await store.find(live))!.status).toBe(GenerationStatus.RUNNING);
      expect((await store.find(finished))!.status).toBe(GenerationStatus.SUCCEEDED);
    });

    it('refuses a late write of the swept run, so the job keeps its one terminal state', async () => {
      const id = await storedJob(GenerationStatus.RUNNING, HOUR, 'dead-run');
      const lateWorkerCopy = (await store.find(id))!;
      expect(await sweepStalledJobs(store, { staleAfterMs: 60_000 })).toHaveLength(1);

      const late = await store.advance(
        lateWorkerCopy,
        { status: GenerationStatus.SUCCEEDED, output: 'too late' },
        { statuses: [GenerationStatus.RUNNING], runToken: 'dead-run' },
      );
      expect(late).toBe(false);
      expect((await store.find(id))!.status).toBe(GenerationStatus.FAILED);
    });

    it('leaves a job its worker wrote after the sweeper read it', async () => {
      const id = await storedJob(GenerationStatus.RUNNING, HOUR, 'slow-run');
      const workerCopy = (await store.find(id))!;
      // The worker writes (a delta) between the sweeper's read and its write: its copy's sequence is now stale.
      const wrote = await store.advance(
        workerCopy,
        { output: 'still here' },
        { statuses: [GenerationStatus.RUNNING], runToken: 'slow-run' },
      );
      expect(wrote).toBe(true);
      expect(await sweepStalledJobs(store, { staleAfterMs: 60_000 })).toEqual([]);
      expect((await store.find(id))!.status).toBe(GenerationStatus.RUNNING);
    });
  });
}

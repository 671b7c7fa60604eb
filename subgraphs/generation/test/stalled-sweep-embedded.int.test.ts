import { freshSqliteDatabase, Leftovers, waitFor } from '@atrium/platform/testing';
import { GenerationJob, GenerationStatus } from '../src/generation-job/generation-job.entity';
import { GenerationKind } from '../src/generation-job/generation-kind';
import { startGeneration, user, waitForJob, type Harness } from './support/harness';

const alice = user('u-alice');

describe('the stalled-job sweep in a running generation service (embedded mode)', () => {
  const leftovers = new Leftovers();
  let harness: Harness;
  beforeAll(async () => {
    const db = leftovers.add(await freshSqliteDatabase(), (d) => d.drop());
    harness = await startGeneration(
      {
        ATRIUM_DATA_DIR: db.dataDir,
        GENERATION_STALLED_AFTER_MS: '1000',
        GENERATION_SWEEP_INTERVAL_MS: '1000',
      },
      leftovers,
    );
  });
  afterAll(() => leftovers.dispose());

  it('fails a job a dead worker left RUNNING with JOB_STALLED, swept once', async () => {
    // A job as a worker that died mid-run leaves it, after the queue gave up on it: RUNNING, silent for an hour.
    const em = harness.server.app.fork();
    const job = Object.assign(new GenerationJob(), {
      ownerId: 'u-alice',
      kind: GenerationKind.SUMMARY,
      title: 'A summary',
      prompt: 'Summarise',
      status: GenerationStatus.RUNNING,
      runToken: 'dead-run',
      attempts: 1,
      startedAt: new Date(Date.now() - 3_600_000),
      updatedAt: new Date(Date.now() - 3_600_000),
    });
    await em.persistAndFlush(job);

    const swept = await waitForJob<{ status: string; error: { code: string; retryable: boolean } | null }>(
      harness,
      alice,
      job.id,
    );
    expect(swept).toMatchObject({ status: 'FAILED', error: { code: 'JOB_STALLED', retryable: true } });

    // The sweep counts the job just after its write.
    const sweptTotal = async () => {
      const text = await (await fetch(`${harness.origin}/metrics`)).text();
      const match = /^atrium_generation_jobs_swept_total\{kind="SUMMARY",service="generation"\} (\d+)$/m.exec(
        text,
      );
      return match ? Number(match[1]) : 0;
    };
    await waitFor(async () => (await sweptTotal()) > 0, 'the sweep counted the job');
    expect(await sweptTotal()).toBe(1);
    // Exactly one terminal write: the job's sequence moved once, from the stored job's to the sweep's.
    expect((await harness.server.app.store.find(job.id))!.sequence).toBe(job.sequence + 1);
  });
});

import { Leftovers, waitFor } from '@atrium/platform/testing';
import { GenerationJob, GenerationStatus } from '../src/generation-job/generation-job.entity';
import { GenerationKind } from '../src/generation-job/generation-kind';
import { startGeneration, user, waitForJob, type Harness } from './support/harness';

const alice = user('u-alice');
const HOUR = 3_600_000;

describe('the stalled-job sweep in a running generation service (embedded mode)', () => {
  const leftovers = new Leftovers();
  let harness: Harness;
  beforeAll(async () => {
    harness = await startGeneration(
      { GENERATION_JOB_ATTEMPTS: '2', GENERATION_SWEEP_INTERVAL_MS: '1000' },
      leftovers,
    );
  });
  afterAll(() => leftovers.dispose());

  /** A job as a worker that died mid-run leaves it: RUNNING after `attempts` runs, its lease lapsed an hour ago. */
  async function deadRunJob(attempts: number): Promise<GenerationJob> {
    const job = Object.assign(new GenerationJob(), {
      ownerId: 'u-alice',
      kind: GenerationKind.SUMMARY,
      title: 'A summary',
      prompt: 'Summarise this. It has two sentences.',
      status: GenerationStatus.RUNNING,
      runToken: 'dead-run',
      attempts,
      output: 'half of the dead run',
      startedAt: new Date(Date.now() - HOUR),
      updatedAt: new Date(Date.now() - HOUR),
      leaseExpiresAt: new Date(Date.now() - HOUR),
    });
    await harness.server.app.fork().persistAndFlush(job);
    return job;
  }

  const swept = async (outcome: string) => {
    const text = await (await fetch(`${harness.origin}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('atrium_generation_jobs_swept_total{') &&
          l.includes('kind="SUMMARY"') &&
          l.includes(`outcome="${outcome}"`),
      );
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('queues a job a dead worker left RUNNING again, and the worker completes it, once', async () => {
    const job = await deadRunJob(1);
    const done = await waitForJob<{ status: string; attempts: number; output: string }>(
      harness,
      alice,
      job.id,
    );
    expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect(done.output).not.toContain('dead run');
    await waitFor(async () => (await swept('requeued')) > 0, 'the sweep counted the job');
    expect(await swept('requeued')).toBe(1);
  });

  it('fails a job a dead worker left RUNNING on its last attempt with JOB_STALLED, swept once', async () => {
    const job = await deadRunJob(2);
    const failed = await waitForJob<{ status: string; error: { code: string; retryable: boolean } | null }>(
      harness,
      alice,
      job.id,
    );
    expect(failed).toMatchObject({ status: 'FAILED', error: { code: 'JOB_STALLED', retryable: true } });
    await waitFor(async () => (await swept('failed')) > 0, 'the sweep counted the job');
    expect(await swept('failed')).toBe(1);
    // Exactly one terminal write: the job's sequence moved once, from the stored job's to the sweep's.
    expect((await harness.server.app.store.find(job.id))!.sequence).toBe(job.sequence + 1);
  });
});

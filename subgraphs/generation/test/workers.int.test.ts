import {
  describeWithPostgresAndRedis,
  Leftovers,
  PRODUCTION_MODE,
  testDeployment,
  type TestEnv,
} from '@atrium/platform/testing';
import { startFakeProvider } from './support/fake-provider';
import { GENERATE, startGeneration, user, waitForJob, watchLive, type Harness } from './support/harness';
import { spawnWorker } from './support/worker-process';

const alice = user('u-alice');
const WATCH_WITH_ERROR = `subscription($id: ID!) {
  generationJobUpdated(id: $id) { type outputReset message job { status error { code } } }
}`;
type Job = { status: string; attempts: number; output: string; provider: string };

/** Waits (up to `ms`) for a condition, e.g. a log line a worker writes just after its last database write. */
async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

// Needs both Redis (the queue shared by processes) and PostgreSQL (the database shared by processes).
describeWithPostgresAndRedis('generation workers as separate processes on Redis and PostgreSQL', () => {
  const leftovers = new Leftovers();
  let env: TestEnv;
  let api: Harness;

  beforeEach(async () => {
    env = {
      ...(await testDeployment('generation', PRODUCTION_MODE, leftovers)),
      GENERATION_JOBS_PER_MINUTE: '1000',
      GENERATION_MAX_ACTIVE_PER_USER: '100',
      GENERATION_CACHE_TTL_SECONDS: '0',
      GENERATION_WORKER_LOCK_MS: '1000',
    };
  });
  afterEach(() => leftovers.dispose());

  async function generate(prompt: string): Promise<string> {
    const response = await api.gql<{ generate: { id: string } }>(alice, GENERATE, {
      input: { kind: 'SUMMARY', prompt },
    });
    expect(response.body.errors).toBeUndefined();
    return response.body.data!.generate.id;
  }

  it('runs N jobs across two worker processes, each job to exactly one terminal state', async () => {
    const workerEnv = { ...env, GENERATION_LOCAL_CHUNK_DELAY_MS: '10', GENERATION_WORKER_CONCURRENCY: '2' };
    const workers = [spawnWorker(workerEnv, leftovers), spawnWorker(workerEnv, leftovers)];
    api = await startGeneration({}, leftovers, { shareWith: { env } });
    await Promise.all(workers.map((w) => w.ready));
    const ids = await Promise.all(
      Array.from({ length: 12 }, (_, i) => generate(`Job ${i}. It has points. Many points.`)),
    );
    for (const id of ids) {
      const job = await waitForJob<Job>(api, alice, id, undefined, 30_000);
      expect(job).toMatchObject({ status: 'SUCCEEDED', attempts: 1, provider: 'local' });
    }
    await until(() => workers.flatMap((w) => w.ended()).length >= ids.length);
    const ended = workers.flatMap((w) => w.ended());
    expect(ended.sort()).toEqual([...ids].sort());
    for (const worker of workers) expect(worker.ended().length).toBeGreaterThan(0);
  });

  /**
   * A worker killed with SIGKILL once the subscriber has seen some of its output. The queue's own lock is long
   * here, so what takes the job back is the lease lapsing and the sweep of the next worker.
   */
  async function killMidJob(attempts: string) {
    const slow = {
      ...env,
      GENERATION_LOCAL_CHUNK_DELAY_MS: '60',
      GENERATION_JOB_ATTEMPTS: attempts,
      GENERATION_WORKER_LOCK_MS: '600000',
      // Long enough that the live worker's renewals (every third) never lapse on a loaded machine.
      GENERATION_JOB_LEASE_MS: '5000',
      GENERATION_SWEEP_INTERVAL_MS: '1000',
    };
    const first = spawnWorker(slow, leftovers);
    api = await startGeneration(slow, leftovers, { shareWith: { env } });
    await first.ready;
    const id = await generate('A long text to summarise. '.repeat(40));
    const watching = watchLive<{
      generationJobUpdated: {
        type: string;
        outputReset: boolean;
        message: string | null;
        job: { status: string; error: { code: string } | null };
      };
    }>(api.ws(alice), WATCH_WITH_ERROR, { id });
    const sawOutput = () =>
      watching.results.some((r) => r.data?.generationJobUpdated.type === 'OUTPUT_DELTA');
    await until(sawOutput, 15_000);
    expect(sawOutput()).toBe(true);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = spawnWorker(slow, leftovers);
    await second.ready;
    return { id, first, second, watching };
  }

  it('a worker killed with SIGKILL mid-job: its lease lapses, the sweep queues the job again once, another worker completes it', async () => {
    const { id, first, second, watching } = await killMidJob('3');
    const job = await waitForJob<Job>(api, alice, id, undefined, 40_000);
    expect(job).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    await until(() => second.ended().length > 0);
    expect(first.ended()).toEqual([]);
    expect(second.ended()).toEqual([id]);
    const requeued = second.logs.filter((l) => l.msg === 'stalled generation job queued again by the sweep');
    expect(requeued.map((l) => l.jobId)).toEqual([id]);
    await watching.done;
    const events = watching.results.map((r) => r.data!.generationJobUpdated);
    // The subscriber sees the dead run's output dropped once, then the job finish once.
    expect(events.filter((e) => e.outputReset)).toEqual([
      expect.objectContaining({ message: 'The worker running this job stopped; the job is queued again' }),
    ]);
    expect(events.filter((e) => e.job.status === 'SUCCEEDED')).toHaveLength(1);
    expect(events[events.length - 1]!.job.status).toBe('SUCCEEDED');
  }, 90_000);

  it('a worker killed with SIGKILL on the last attempt: the sweep fails the job with JOB_STALLED, once', async () => {
    const { id, first, second, watching } = await killMidJob('1');
    const job = await waitForJob<Job & { error: { code: string } | null }>(api, alice, id, undefined, 40_000);
    expect(job).toMatchObject({ status: 'FAILED', attempts: 1, error: { code: 'JOB_STALLED' } });
    const failed = () => second.logs.filter((l) => l.msg === 'stalled generation job failed by the sweep');
    await until(() => failed().length > 0);
    expect(failed().map((l) => l.jobId)).toEqual([id]);
    expect([...first.ended(), ...second.ended()]).toEqual([]);
    await watching.done;
    const events = watching.results.map((r) => r.data!.generationJobUpdated);
    expect(events.filter((e) => e.job.status === 'FAILED')).toEqual([
      expect.objectContaining({ job: expect.objectContaining({ error: { code: 'JOB_STALLED' } }) }),
    ]);
  }, 90_000);

  it('a cancel sent to the API process stops the job in a worker process and aborts its provider call', async () => {
    const fake = leftovers.add(await startFakeProvider('openai'), (f) => f.close());
    fake.fallback = { kind: 'hang' };
    const providers = JSON.stringify([
      { id: 'slow', kind: 'openai', baseUrl: fake.baseUrl, timeoutMs: 60_000, attempts: 1 },
    ]);
    const worker = spawnWorker({ ...env, GENERATION_PROVIDERS: providers }, leftovers);
    api = await startGeneration({ GENERATION_PROVIDERS: providers }, leftovers, { shareWith: { env } });
    await worker.ready;
    const id = await generate('Please wait forever.');
    const deadline = Date.now() + 10_000;
    while (fake.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(fake.requests).toHaveLength(1);
    const cancelledAt = Date.now();
    const response = await api.gql<{ cancelGeneration: { status: string } }>(
      alice,
      'mutation($id: ID!) { cancelGeneration(id: $id) { status } }',
      { id },
    );
    expect(response.body.data?.cancelGeneration.status).toBe('CANCELLED');
    while (fake.requests[0]!.closedAt === undefined && Date.now() - cancelledAt < 5000)
      await new Promise((r) => setTimeout(r, 10));
    expect(fake.requests[0]!.closedAt! - cancelledAt).toBeLessThan(1000);
    const job = await waitForJob<Job>(api, alice, id);
    expect(job.status).toBe('CANCELLED');
    expect(worker.ended()).toEqual([]);
  }, 40_000);
});

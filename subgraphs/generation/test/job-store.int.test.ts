import { describeFor, Leftovers, SUBGRAPH_MODES, testDeployment } from '@atrium/platform/testing';
import { GenerationJob, GenerationKind } from '../src/generation-job/generation-job.entity';
import { startGeneration } from './support/harness';

/** The job store's SQL of its own against what MikroORM maps, on both databases. */
describe.each(SUBGRAPH_MODES)('JobStore ($name)', (mode) => {
  describeFor(mode)('', () => {
    const leftovers = new Leftovers();
    afterAll(() => leftovers.dispose());

    it('claims a QUEUED job in one statement into the same job MikroORM reads back, and only once', async () => {
      const harness = await startGeneration(
        { ...(await testDeployment('generation', mode, leftovers)), GENERATION_INLINE_WORKER: 'false' },
        leftovers,
      );
      const { store } = harness.server.app;
      const job = Object.assign(new GenerationJob(), {
        ownerId: 'u-store',
        kind: GenerationKind.SUMMARY,
        title: 'Summary: a test',
        prompt: 'Summarise this.',
        inputs: '{"a":1}',
        sequence: 1,
      });
      expect(await store.insertIfFewerActive(job, 1)).toBe(true);
      // The owner has one active job now: a second is not stored.
      const second = Object.assign(new GenerationJob(), { ...job, id: 'other-id' });
      expect(await store.insertIfFewerActive(second, 1)).toBe(false);
      expect(await store.countActive('u-store')).toBe(1);

      const lease = new Date(Date.now() + 30_000);
      const claimed = await store.claimQueued(job.id, 'run-1', lease);
      expect(claimed).not.toBeNull();
      expect(claimed).toMatchObject({ status: 'RUNNING', runToken: 'run-1', attempts: 1, sequence: 2 });
      const read = await store.find(job.id);
      // Every stored property, with its type (Date, boolean, number), as MikroORM maps the same row.
      expect({ ...claimed }).toEqual({ ...read });
      expect(claimed!.leaseExpiresAt).toBeInstanceOf(Date);
      expect(claimed!.leaseExpiresAt!.getTime()).toBe(lease.getTime());
      expect(claimed!.cached).toBe(false);
      expect(await store.claimQueued(job.id, 'run-2', lease)).toBeNull();
    });
  });
});

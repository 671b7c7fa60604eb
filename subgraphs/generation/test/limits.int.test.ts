import {
  describeFor,
  Leftovers,
  SUBGRAPH_MODES,
  testDeployment,
  type TestEnv,
} from '@atrium/platform/testing';
import { GENERATE, startGeneration, user, type Harness } from './support/harness';

const LIMIT = 3;
const REQUESTS = 40;

type GenerateResult = {
  body: {
    data?: { generate: { id: string } } | null;
    errors?: Array<{ extensions?: Record<string, unknown> }>;
  };
};

/**
 * The per-user limit of jobs queued or running at once, under concurrency: many `generate` calls of one user at
 * the same moment, spread over two API processes of one deployment, never store more than the limit.
 */
describe.each(SUBGRAPH_MODES)('the per-user active-job limit under concurrency ($name)', (mode) => {
  describeFor(mode)('', () => {
    const leftovers = new Leftovers();
    afterAll(() => leftovers.dispose());

    it(`accepts at most ${LIMIT} of ${REQUESTS} concurrent generate calls of one user; the rest get RATE_LIMITED`, async () => {
      const env: TestEnv = {
        ...(await testDeployment('generation', mode, leftovers)),
        GENERATION_MAX_ACTIVE_PER_USER: String(LIMIT),
        GENERATION_JOBS_PER_MINUTE: '1000',
        // Jobs stay active for the whole test: no worker (production shape) or one that writes very slowly.
        GENERATION_LOCAL_CHUNK_DELAY_MS: '5000',
      };
      const apis: Harness[] = [await startGeneration(env, leftovers)];
      // Two processes of one deployment share the database (and Redis): PostgreSQL only, SQLite has one.
      if (mode.database === 'postgres')
        apis.push(await startGeneration({}, leftovers, { shareWith: { env } }));
      const carol = user('u-carol-limits');
      const results = (await Promise.all(
        Array.from({ length: REQUESTS }, (_, i) =>
          apis[i % apis.length]!.gql(carol, GENERATE, {
            input: { kind: 'SUMMARY', prompt: `Summarise request ${i}. It is short.` },
          }),
        ),
      )) as GenerateResult[];
      const accepted = results.filter((r) => r.body.data?.generate.id);
      const refused = results.filter((r) => !r.body.data?.generate.id);
      expect(accepted).toHaveLength(LIMIT);
      expect(refused.map((r) => r.body.errors?.[0]?.extensions?.code)).toEqual(
        Array(REQUESTS - LIMIT).fill('RATE_LIMITED'),
      );
      // What the user sees afterwards: exactly the accepted jobs, still active.
      const listed = await apis[0]!.gql<{
        generationJobs: { edges: Array<{ node: { id: string; status: string } }> };
      }>(carol, '{ generationJobs(first: 50) { edges { node { id status } } } }');
      const nodes = (listed.body.data?.generationJobs.edges ?? []).map((e) => e.node);
      expect(nodes.map((n) => n.id).sort()).toEqual(accepted.map((r) => r.body.data!.generate.id).sort());
      for (const node of nodes) expect(['QUEUED', 'RUNNING']).toContain(node.status);
    }, 60_000);
  });
});

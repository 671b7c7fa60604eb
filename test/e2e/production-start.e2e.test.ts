import {
  describeWithPostgres,
  describeWithRedis,
  postGraphQL,
  testServices,
  silentLogger,
} from '@atrium/platform/testing';
import { createGenerationWorker, loadGenerationConfig } from '@atrium/subgraph-generation';
import { productionEnv, type ProductionEnv } from '../src/production-env';
import { startStack, TEST_INTERNAL_SECRET, type Stack } from '../src/stack';

// The process list `npm start` (scripts/start.js) launches, read from the same module it uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { stackProcesses } = require('../../scripts/stack-processes') as {
  stackProcesses(env: Record<string, string | undefined>): { services: Array<{ name: string }> };
};

const describeProduction = testServices.redisUrl ? describeWithPostgres : describeWithRedis;

/**
 * `npm start` with database and Redis URLs: the generation subgraph then runs no in-process worker (jobs go to
 * the shared BullMQ queue), so the start must launch the worker process, or every job stays QUEUED.
 */
describeProduction('the production start (PostgreSQL + Redis) generates jobs to the end', () => {
  let stack: Stack;
  let production: ProductionEnv;
  const stops: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    production = await productionEnv();
    const env = {
      ...production.env,
      INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
      GENERATION_LOCAL_CHUNK_DELAY_MS: '0',
      LOG_LEVEL: 'silent',
    };
    stack = await startStack({ env });
    // Every extra process the start script launches besides the four subgraphs, started the way main.ts does.
    const names = stackProcesses(env).services.map((service) => service.name);
    if (names.includes('generation-worker')) {
      const worker = await createGenerationWorker({
        config: loadGenerationConfig(env),
        log: silentLogger('e2e-worker'),
      });
      stops.push(() => worker.stop());
      await worker.listen(0, '127.0.0.1');
    }
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
    await stack?.stop();
    await production?.drop();
  });

  it('takes a job generated through the gateway to SUCCEEDED', async () => {
    const signUp = await postGraphQL<{ signUp: { accessToken: string } }>(
      stack.gatewayUrl,
      'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
      {
        variables: {
          i: { email: 'start@example.test', password: 'a production password', displayName: 'P' },
        },
      },
    );
    const headers = { authorization: `Bearer ${signUp.body.data!.signUp.accessToken}` };
    const created = await postGraphQL<{ generate: { id: string } }>(
      stack.gatewayUrl,
      'mutation($input: GenerateInput!) { generate(input: $input) { id } }',
      {
        variables: {
          input: { kind: 'PRESENTATION_OUTLINE', prompt: 'Launch plan. Timeline.', title: 'Deck' },
        },
        headers,
      },
    );
    expect(created.body.errors).toBeUndefined();
    const id = created.body.data!.generate.id;
    let status = 'QUEUED';
    // Polls by count, not by clock: a queued job with no worker never leaves QUEUED.
    for (let i = 0; i < 600 && !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(status); i++) {
      const read = await postGraphQL<{ generationJob: { status: string } }>(
        stack.gatewayUrl,
        'query($id: ID!) { generationJob(id: $id) { status } }',
        { variables: { id }, headers },
      );
      status = read.body.data!.generationJob.status;
      if (status !== 'SUCCEEDED') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe('SUCCEEDED');
  }, 120_000);
});

// Scale-out on Redis: two gateway replicas, each in front of its own generation replica, and a generation
// worker in its own process. A job generated through one gateway is watched through both; the worker's events
// travel over the Redis event bus to both generation replicas and through both gateways to their subscribers.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createGatewayServer, type GatewayServer } from '@atrium/gateway/server';
import { loadGatewayConfig } from '@atrium/gateway/config';
import { readSupergraph } from '@atrium/gateway/supergraph';
import {
  describeWithPostgres,
  describeWithRedis,
  Leftovers,
  postGraphQL,
  testServices,
  silentLogger,
} from '@atrium/platform/testing';
import type { SubgraphServer } from '@atrium/platform/server';
import { createGenerationServer, loadGenerationConfig } from '@atrium/subgraph-generation';
import { productionEnv, type ProductionEnv } from '../src/production-env';
import { startStack, TEST_INTERNAL_SECRET, type Stack } from '../src/stack';
import { WATCH, type WatchEvent } from '../src/watch-job';
import { collect, signUp, wsClient } from '../src/ws-client';

const WORKER = resolve(__dirname, '..', '..', 'subgraphs', 'generation', 'src', 'worker', 'main.ts');
const REGISTER = join(__dirname, '..', '..', 'scripts', 'ts-register.js');

// Needs both services: whichever is missing skips the suite, with its reason in the suite's name.
const describeScaleOut = testServices.redisUrl ? describeWithPostgres : describeWithRedis;

describeScaleOut('subscriptions across gateway and generation replicas on Redis', () => {
  const leftovers = new Leftovers();
  let production: ProductionEnv;
  let stack: Stack;
  let secondGatewayUrl: string;

  beforeAll(async () => {
    production = await productionEnv();
    leftovers.defer(() => production.drop());
    const env = {
      ...production.env,
      GENERATION_INLINE_WORKER: 'false',
      GENERATION_LOCAL_CHUNK_DELAY_MS: '20',
    };
    stack = await startStack({ env });
    leftovers.defer(() => stack.stop());
    const log = silentLogger('e2e');
    const serviceEnv = {
      INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
      LOG_LEVEL: 'silent',
      ...env,
    };
    // A second generation replica and a second gateway in front of it.
    const generation2: SubgraphServer = await createGenerationServer({
      config: loadGenerationConfig(serviceEnv),
      log,
    });
    leftovers.defer(() => generation2.stop());
    const { url: generation2Url } = await generation2.listen(0, '127.0.0.1');
    const gateway2: GatewayServer = await createGatewayServer({
      config: loadGatewayConfig({
        ...serviceEnv,
        IDENTITY_URL: stack.subgraphs.identity.url,
        INTEGRATIONS_URL: stack.subgraphs.integrations.url,
        GENERATION_URL: generation2Url,
        MONITORING_URL: stack.subgraphs.monitoring.url,
      }),
      supergraphSdl: readSupergraph(),
      log,
    });
    leftovers.defer(() => gateway2.stop());
    secondGatewayUrl = (await gateway2.listen(0, '127.0.0.1')).url;
    // The worker: its own process, the same code `node dist/worker/main.js` runs.
    const worker: ChildProcess = spawn(process.execPath, ['-r', REGISTER, WORKER], {
      env: {
        PATH: process.env.PATH,
        ...serviceEnv,
        LOG_LEVEL: 'info',
        GENERATION_WORKER_PORT: '0',
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((done) => worker.once('exit', () => done()));
    leftovers.defer(async () => {
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGTERM');
      await exited;
    });
    await new Promise<void>((ready, failed) => {
      let buffered = '';
      worker.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        if (buffered.includes('"msg":"ready"')) ready();
      });
      worker.once('exit', (code) => failed(new Error(`worker exited before it was ready (${code})`)));
    });
  }, 120_000);
  afterAll(() => leftovers.dispose());

  it('delivers the same job to subscribers on both gateway replicas, from the worker process', async () => {
    const ada = await signUp(stack.gatewayUrl, 'Ada Replica');
    const created = await postGraphQL<{ generate: { id: string } }>(
      stack.gatewayUrl,
      'mutation($i: GenerateInput!) { generate(input: $i) { id } }',
      {
        variables: { i: { kind: 'SUMMARY', prompt: 'Summarise replication. It fans out. It converges.' } },
        headers: { authorization: `Bearer ${ada.accessToken}` },
      },
    );
    expect(created.body.errors).toBeUndefined();
    const id = created.body.data!.generate.id;
    const watchers = [stack.gatewayUrl, secondGatewayUrl].map((url) => {
      const client = wsClient(url, `Bearer ${ada.accessToken}`);
      leftovers.defer(() => client.dispose());
      return collect<WatchEvent>(client, WATCH, { id });
    });
    const [first, second] = await Promise.all(watchers);
    for (const outcome of [first!, second!]) {
      expect(outcome.error).toBeUndefined();
      const events = outcome.results.map((r) => r.data!.generationJobUpdated);
      expect(events[events.length - 1]!.job.status).toBe('SUCCEEDED');
      expect(events.every((e) => e.job.owner?.displayName === 'Ada Replica')).toBe(true);
      events.forEach((event, index) => expect(event.sequence).toBe(events[0]!.sequence + index));
    }
    const final = (o: typeof first) => o!.results[o!.results.length - 1]!.data!.generationJobUpdated;
    expect(final(first).sequence).toBe(final(second).sequence);
    expect(final(first).job.output).toBe(final(second).job.output);
  });
});

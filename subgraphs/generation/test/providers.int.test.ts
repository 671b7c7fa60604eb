import { gate, Leftovers, waitFor } from '@atrium/platform/testing';
import { DEFAULT_TEXT, startFakeProvider, type FakeProvider } from './support/fake-provider';
import {
  GENERATE,
  startGeneration,
  user,
  waitForJob,
  watchLive,
  WATCH,
  type Harness,
} from './support/harness';

const alice = user('u-alice');
const PRIMARY_KEY = 'sk-test-primary-0123456789-secret';

type Job = {
  status: string;
  output: string;
  provider: string;
  model: string;
  usage: { promptTokens: number; completionTokens: number; costUsd: number } | null;
  error: { code: string; message: string; retryable: boolean } | null;
};

interface Setup {
  harness: Harness;
  openai: FakeProvider;
  anthropic: FakeProvider;
  generate(prompt?: string): Promise<string>;
  providers(): Promise<Array<{ id: string; circuitState: string; available: boolean }>>;
}

describe('the model router against real OpenAI- and Anthropic-protocol servers', () => {
  const leftovers = new Leftovers();
  afterEach(() => leftovers.dispose());

  async function setup(
    env: Record<string, string> = {},
    primary: Record<string, unknown> = {},
  ): Promise<Setup> {
    const openai = leftovers.add(await startFakeProvider('openai'), (f) => f.close());
    const anthropic = leftovers.add(await startFakeProvider('anthropic'), (f) => f.close());
    const harness = await startGeneration(
      {
        GENERATION_PROVIDERS: JSON.stringify([
          {
            id: 'primary',
            kind: 'openai',
            baseUrl: openai.baseUrl,
            models: ['gpt-test'],
            attempts: 2,
            timeoutMs: 3000,
            ...primary,
          },
          {
            id: 'backup',
            kind: 'anthropic',
            baseUrl: anthropic.baseUrl,
            models: ['claude-test'],
            attempts: 1,
          },
        ]),
        PRIMARY_API_KEY: PRIMARY_KEY,
        BACKUP_API_KEY: 'ak-test-backup',
        GENERATION_PRICES: 'gpt-test=2/10,claude-test=1/5',
        GENERATION_CACHE_TTL_SECONDS: '0',
        GENERATION_JOBS_PER_MINUTE: '1000',
        GENERATION_MAX_ACTIVE_PER_USER: '100',
        GENERATION_RETRY_BASE_MS: '10',
        GENERATION_DELTA_INTERVAL_MS: '10',
        ...env,
      },
      leftovers,
    );
    let n = 0;
    return {
      harness,
      openai,
      anthropic,
      generate: async (prompt = `Write a short document, number ${++n}.`) => {
        const response = await harness.gql<{ generate: { id: string } }>(alice, GENERATE, {
          input: { kind: 'DOCUMENT', prompt },
        });
        expect(response.body.errors).toBeUndefined();
        return response.body.data!.generate.id;
      },
      providers: async () =>
        (
          await harness.gql<{
            modelProviders: Array<{ id: string; circuitState: string; available: boolean }>;
          }>(alice, '{ modelProviders { id circuitState available } }')
        ).body.data!.modelProviders,
    };
  }

  it('streams from the first provider and records its reported usage and cost', async () => {
    const { harness, openai, generate } = await setup();
    openai.script({ kind: 'ok', usage: { prompt: 1000, completion: 500 } });
    const job = await waitForJob<Job>(harness, alice, await generate());
    expect(job).toMatchObject({
      status: 'SUCCEEDED',
      provider: 'primary',
      model: 'gpt-test',
      output: DEFAULT_TEXT,
    });
    // gpt-test costs $2 / $10 per million prompt / completion tokens.
    expect(job.usage).toEqual({ promptTokens: 1000, completionTokens: 500, costUsd: 0.007 });
    expect(openai.requests).toHaveLength(1);
    expect(openai.requests[0]!.headers.authorization).toBe(`Bearer ${PRIMARY_KEY}`);
    expect(openai.requests[0]!.body).toMatchObject({ model: 'gpt-test', stream: true });
  });

  it('retries a 429 and a 500 on the same provider, with backoff', async () => {
    const { harness, openai, anthropic, generate } = await setup({}, { attempts: 3 });
    openai.script({ kind: 'status', status: 429 }, { kind: 'status', status: 500 }, { kind: 'ok' });
    const job = await waitForJob<Job>(harness, alice, await generate());
    expect(job).toMatchObject({ status: 'SUCCEEDED', provider: 'primary' });
    expect(openai.requests).toHaveLength(3);
    expect(anthropic.requests).toHaveLength(0);
  });

  it('never retries a 400 and fails over to the next provider in order', async () => {
    const { harness, openai, anthropic, generate } = await setup();
    openai.script({ kind: 'status', status: 400, type: 'invalid_request_error' });
    const job = await waitForJob<Job>(harness, alice, await generate());
    expect(job).toMatchObject({ status: 'SUCCEEDED', provider: 'backup', model: 'claude-test' });
    expect(openai.requests).toHaveLength(1);
    expect(anthropic.requests).toHaveLength(1);
    expect(anthropic.requests[0]!.headers['x-api-key']).toBe('ak-test-backup');
  });

  it('treats a stream that breaks half-way as a failure and restarts the output cleanly on failover', async () => {
    // The provider call may wait as long as the test needs: the fake holds its stream at two gates.
    const { harness, openai, generate } = await setup({}, { attempts: 1, timeoutMs: 60_000 });
    const subscribed = gate();
    const partialSeen = gate();
    openai.script({
      kind: 'break',
      text: 'PARTIAL-PRIMARY-OUTPUT '.repeat(20),
      afterChunks: 5,
      startWhen: subscribed.promise,
      breakWhen: partialSeen.promise,
    });
    openai.fallback = { kind: 'status', status: 503 };
    const id = await generate();
    const live = watchLive<{
      generationJobUpdated: {
        type: string;
        outputReset: boolean;
        delta: string | null;
        message: string | null;
        job: { status: string; output: string | null };
      };
    }>(harness.ws(alice), WATCH, { id });
    // The stream starts once the subscriber holds its SNAPSHOT and breaks once it saw the partial output, so
    // the partial delta reaches it however slowly this machine runs.
    await waitFor(() => live.results.length > 0, 'the SNAPSHOT');
    subscribed.open();
    // Deltas are coalesced at any boundary (the fake streams 12-character chunks), so the words are looked for
    // in the deltas joined, not in any single one.
    const deltas = () => live.results.map((r) => r.data?.generationJobUpdated.delta ?? '').join('');
    await waitFor(() => deltas().includes('PARTIAL-PRIMARY'), 'the partial output of the primary');
    partialSeen.open();
    await live.done;
    const results = live.results;
    const events = results.map((r) => r.data!.generationJobUpdated);
    const final = events[events.length - 1]!;
    expect(final.job).toMatchObject({ status: 'SUCCEEDED', output: DEFAULT_TEXT });
    // A subscriber rebuilding the output from the events ends with exactly the final output.
    let rebuilt = '';
    for (const event of events) {
      if (event.type === 'SNAPSHOT') rebuilt = event.job.output ?? '';
      else if (event.delta) rebuilt += event.delta;
    }
    expect(rebuilt).toBe(DEFAULT_TEXT);
    expect(deltas()).toContain('PARTIAL-PRIMARY');
    expect(events.filter((e) => e.outputReset)).toHaveLength(1);
    const job = await waitForJob<Job>(harness, alice, id);
    expect(job.provider).toBe('backup');
    // The broken attempt's tokens were spent too: usage exceeds what the backup alone reported.
    expect(job.usage!.completionTokens).toBeGreaterThan(20);
    expect(job.usage!.costUsd).toBeGreaterThan((10 * 1 + 20 * 5) / 1e6);
    expect(events.some((e) => e.message?.includes('primary failed'))).toBe(true);
  });

  it('aborts a provider that hangs when its timeout expires, then fails over', async () => {
    const { harness, openai, generate } = await setup({}, { attempts: 1, timeoutMs: 300 });
    openai.script({ kind: 'hang' });
    const started = Date.now();
    const job = await waitForJob<Job>(harness, alice, await generate());
    expect(job).toMatchObject({ status: 'SUCCEEDED', provider: 'backup' });
    const request = openai.requests[0]!;
    // The router closed the hanging request (the server never answers it). No lower bound on when: the 300 ms
    // timeout starts before the request reaches the server, which under load takes a while.
    expect(request.closedAt).toBeDefined();
    expect(request.closedAt! - request.at).toBeLessThan(1500);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('opens the breaker, skips the provider without calling it across jobs, then half-opens and closes', async () => {
    const { harness, openai, anthropic, generate, providers } = await setup(
      {
        GENERATION_BREAKER_WINDOW: '4',
        GENERATION_BREAKER_MIN_CALLS: '2',
        GENERATION_BREAKER_FAILURE_RATE: '50',
        // Long enough that the three jobs below finish inside it even on a loaded machine; the test then waits
        // for the half-open state rather than sleeping a fixed time.
        GENERATION_BREAKER_OPEN_MS: '6000',
        GENERATION_BREAKER_HALF_OPEN_CALLS: '1',
      },
      { attempts: 1 },
    );
    openai.fallback = { kind: 'status', status: 500 };
    for (let i = 0; i < 2; i++)
      expect((await waitForJob<Job>(harness, alice, await generate())).provider).toBe('backup');
    expect(openai.requests).toHaveLength(2);
    expect((await providers()).find((p) => p.id === 'primary')).toMatchObject({
      circuitState: 'OPEN',
      available: false,
    });

    // Cooldown holds across jobs: three more jobs, not one call to the open provider.
    for (let i = 0; i < 3; i++)
      expect((await waitForJob<Job>(harness, alice, await generate())).provider).toBe('backup');
    expect(openai.requests).toHaveLength(2);
    expect(anthropic.requests).toHaveLength(5);

    openai.fallback = { kind: 'ok' };
    await waitFor(
      async () => (await providers()).find((p) => p.id === 'primary')?.circuitState === 'HALF_OPEN',
      'the primary to half-open',
      { intervalMs: 200 },
    );
    expect((await waitForJob<Job>(harness, alice, await generate())).provider).toBe('primary');
    expect(openai.requests).toHaveLength(3);
    expect((await providers()).find((p) => p.id === 'primary')).toMatchObject({
      circuitState: 'CLOSED',
      available: true,
    });
  });

  it('does not count 4xx answers against the provider: its breaker stays closed', async () => {
    const { harness, openai, generate, providers } = await setup(
      {
        GENERATION_BREAKER_WINDOW: '4',
        GENERATION_BREAKER_MIN_CALLS: '2',
        GENERATION_BREAKER_OPEN_MS: '60000',
      },
      { attempts: 1 },
    );
    openai.fallback = { kind: 'status', status: 422 };
    for (let i = 0; i < 4; i++) await waitForJob<Job>(harness, alice, await generate());
    expect(openai.requests).toHaveLength(4);
    expect((await providers()).find((p) => p.id === 'primary')!.circuitState).toBe('CLOSED');
  });

  it('fails the job with a retryable error naming each provider when all fail, without leaking the key', async () => {
    const { harness, openai, anthropic, generate } = await setup({}, { attempts: 1 });
    openai.fallback = { kind: 'status', status: 500 };
    anthropic.fallback = { kind: 'status', status: 529, type: 'overloaded_error' };
    const job = await waitForJob<Job>(harness, alice, await generate());
    expect(job.status).toBe('FAILED');
    expect(job.error).toMatchObject({ code: 'ALL_PROVIDERS_FAILED', retryable: true });
    expect(job.error!.message).toContain('primary: primary answered HTTP 500');
    expect(job.error!.message).toContain('backup: backup answered HTTP 529 (overloaded_error)');
    expect(JSON.stringify(job)).not.toContain(PRIMARY_KEY);
  });

  it('cancellation aborts the running provider call within a second', async () => {
    const { harness, openai, generate } = await setup({}, { attempts: 1, timeoutMs: 60_000 });
    openai.script({ kind: 'hang' });
    const id = await generate();
    const deadline = Date.now() + 5000;
    while (openai.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const cancelledAt = Date.now();
    const response = await harness.gql<{ cancelGeneration: { status: string } }>(
      alice,
      'mutation($id: ID!) { cancelGeneration(id: $id) { status } }',
      { id },
    );
    expect(response.body.data?.cancelGeneration.status).toBe('CANCELLED');
    while (openai.requests[0]!.closedAt === undefined && Date.now() - cancelledAt < 3000)
      await new Promise((r) => setTimeout(r, 10));
    expect(openai.requests[0]!.closedAt! - cancelledAt).toBeLessThan(1000);
    expect((await waitForJob<Job>(harness, alice, id)).status).toBe('CANCELLED');
  });

  it('serves an identical request from the response cache without calling a provider', async () => {
    const { harness, openai, generate } = await setup({ GENERATION_CACHE_TTL_SECONDS: '60' });
    const first = await waitForJob<Job>(harness, alice, await generate('Same prompt'));
    const second = await waitForJob<Job & { cached: boolean }>(
      harness,
      alice,
      await generate('  Same   prompt '),
    );
    expect(first.status).toBe('SUCCEEDED');
    expect(second).toMatchObject({ status: 'SUCCEEDED', cached: true, output: first.output });
    expect(second.usage!.costUsd).toBe(0);
    expect(openai.requests).toHaveLength(1);
    // Another user never gets alice's answer.
    const bob = user('u-bob');
    const response = await harness.gql<{ generate: { id: string } }>(bob, GENERATE, {
      input: { kind: 'DOCUMENT', prompt: 'Same prompt' },
    });
    const bobs = await waitForJob<Job & { cached: boolean }>(harness, bob, response.body.data!.generate.id);
    expect(bobs.cached).toBe(false);
    expect(openai.requests).toHaveLength(2);
  });

  it('reserves the worst case against the daily budget before calling, and fails a job the budget cannot cover', async () => {
    // Worst case of one job: ~100 prompt tokens and 2048 completion tokens of gpt-test ($2/$10 per M) ≈ $0.0207.
    const { harness, openai, generate } = await setup({ GENERATION_DAILY_BUDGET_USD: '0.025' });
    openai.fallback = { kind: 'ok', usage: { prompt: 1000, completion: 500 } };
    const first = await waitForJob<Job>(harness, alice, await generate());
    expect(first).toMatchObject({ status: 'SUCCEEDED', usage: { costUsd: 0.007 } });
    // $0.007 spent + $0.0207 worst case > $0.025: refused before any provider call.
    const second = await waitForJob<Job>(harness, alice, await generate());
    expect(second.status).toBe('FAILED');
    expect(second.error).toMatchObject({ code: 'BUDGET_EXCEEDED', retryable: false });
    expect(openai.requests).toHaveLength(1);
  });
});

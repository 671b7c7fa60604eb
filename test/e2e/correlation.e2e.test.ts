// One request followed through every process it reaches, by its correlation id alone: the gateway, the generation
// subgraph (PostgreSQL, Redis queue), a generation worker in its own process and the model provider (a real HTTP
// server on port 0 recording the headers it got); and a webhook delivery's id in integrations' log lines, under
// the correlation id the gateway answered with.
import { createHmac, randomBytes } from 'node:crypto';
import { createLogger, type Logger } from '@atrium/platform/logging';
import { describeWithPostgresAndRedis, Leftovers, postGraphQL, waitFor } from '@atrium/platform/testing';
import { startFakeProvider, type FakeProvider } from '../../subgraphs/generation/test/support/fake-provider';
import { spawnWorker, type WorkerProcess } from '../../subgraphs/generation/test/support/worker-process';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../src/otlp-receiver';
import { productionEnv } from '../src/production-env';
import { startStack, TEST_INTERNAL_SECRET, type Stack } from '../src/stack';
import { signUp } from '../src/ws-client';

const WEBHOOK_SECRET = 'correlation-e2e-github-webhook-secret';
type Line = Record<string, unknown>;

describeWithPostgresAndRedis('one correlation id across every process a request reaches', () => {
  const leftovers = new Leftovers();
  const lines: Record<string, Line[]> = {};
  let stack: Stack;
  let provider: FakeProvider;
  let worker: WorkerProcess;
  let receiver: OtlpReceiver;

  const logFor = (service: string): Logger => {
    const own = (lines[service] = [] as Line[]);
    return createLogger({
      service,
      level: 'info',
      pretty: false,
      destination: { write: (line: string) => void own.push(JSON.parse(line) as Line) },
    });
  };

  beforeAll(async () => {
    const production = leftovers.add(await productionEnv(), (p) => p.drop());
    provider = leftovers.add(await startFakeProvider('openai'), (p) => p.close());
    receiver = leftovers.add(await startOtlpReceiver(), (r) => r.close());
    const env = {
      ...production.env,
      GENERATION_PROVIDERS: JSON.stringify([
        { id: 'recorder', kind: 'openai', baseUrl: provider.baseUrl, timeoutMs: 30_000, attempts: 1 },
      ]),
      GENERATION_INLINE_WORKER: 'false',
      GENERATION_CACHE_TTL_SECONDS: '0',
      WEBHOOK_GITHUB_SECRET: WEBHOOK_SECRET,
      // Every process exports its spans to the receiver started above.
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    };
    stack = await startStack({ env, logFor });
    leftovers.defer(() => stack.stop());
    worker = spawnWorker(
      {
        ...env,
        INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
        INTEGRATIONS_URL: stack.subgraphs.integrations.url,
      } as Record<string, string>,
      leftovers,
    );
    await worker.ready;
  }, 120_000);
  afterAll(() => leftovers.dispose());

  it('finds the trace id of a generate request in the gateway, subgraph, worker and provider', async () => {
    const { accessToken } = await signUp(stack.gatewayUrl, 'Tracer');
    const traceId = randomBytes(16).toString('hex');
    const response = await postGraphQL<{ generate: { id: string } }>(
      stack.gatewayUrl,
      'mutation Generate($i: GenerateInput!) { generate(input: $i) { id } }',
      {
        variables: { i: { kind: 'SUMMARY', prompt: 'Summarise this. It has two sentences.' } },
        headers: {
          authorization: `Bearer ${accessToken}`,
          traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        },
      },
    );
    expect(response.body.errors).toBeUndefined();
    // Without an own x-request-id, the correlation id is the trace id, and the client is told it.
    expect(response.headers.get('x-request-id')).toBe(traceId);
    const jobId = response.body.data!.generate.id;

    const ended = () => worker.logs.filter((l) => l.msg === 'generation job ended' && l.jobId === jobId);
    await waitFor(() => ended().length > 0, 'the worker ended the job', { timeoutMs: 60_000 });
    expect(ended()).toEqual([
      expect.objectContaining({ requestId: traceId, status: 'SUCCEEDED', provider: 'recorder' }),
    ]);

    const operation = (service: string) =>
      lines[service]!.filter((l) => l.msg === 'graphql operation' && l.requestId === traceId);
    expect(operation('gateway')).toEqual([
      expect.objectContaining({ operation: 'Generate', type: 'mutation', service: 'gateway' }),
    ]);
    expect(operation('generation')).toEqual([
      expect.objectContaining({ type: 'mutation', service: 'generation' }),
    ]);

    // The provider got the same trace (a span of its own under it) and the correlation id.
    const headers = provider.requests.find((request) => request.headers['x-request-id'] === traceId)!.headers;
    expect(headers['x-request-id']).toBe(traceId);
    expect(String(headers.traceparent)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it('exports one trace over OTLP: gateway, subgraph, worker and provider spans, each the parent of the next', async () => {
    const { accessToken } = await signUp(stack.gatewayUrl, 'Span Tracer');
    const traceId = randomBytes(16).toString('hex');
    const clientSpan = randomBytes(8).toString('hex');
    const response = await postGraphQL<{ generate: { id: string } }>(
      stack.gatewayUrl,
      'mutation Generate($i: GenerateInput!) { generate(input: $i) { id } }',
      {
        variables: { i: { kind: 'SUMMARY', prompt: 'Summarise this trace. It has two sentences.' } },
        headers: { authorization: `Bearer ${accessToken}`, traceparent: `00-${traceId}-${clientSpan}-01` },
      },
    );
    expect(response.body.errors).toBeUndefined();

    const trace = () => receiver.spans.filter((span) => span.traceId === traceId);
    const one = (service: string, name: string): ReceivedSpan | undefined =>
      trace().find((span) => span.service === service && span.name === name);
    const expected = [
      ['gateway', 'POST /graphql'],
      ['gateway', 'subgraph generation'],
      ['generation', 'POST /graphql'],
      ['generation', 'generation.enqueue'],
      ['generation-worker', 'generation.job'],
      ['generation-worker', 'provider recorder'],
    ] as const;
    // Each process exports its spans in its own batches (within a second or so of each span's end), so they
    // arrive in no fixed order across processes: wait until every one of the chain is in, then check the links.
    await waitFor(
      () => expected.every(([service, name]) => one(service, name) !== undefined),
      `spans ${expected.map(([service, name]) => `${service}/${name}`).join(', ')}`,
      { timeoutMs: 60_000 },
    );
    const chain = expected.map(([service, name]) => one(service, name));
    expect(chain.every(Boolean)).toBe(true);
    // OTLP span kinds: SERVER 2, CLIENT 3, PRODUCER 4, CONSUMER 5.
    expect(chain.map((span) => span!.kind)).toEqual([2, 3, 2, 4, 5, 3]);
    // The gateway continues the client's span; every later span is the child of the one before.
    expect(chain[0]!.parentSpanId).toBe(clientSpan);
    chain
      .slice(1)
      .forEach((span, index) =>
        expect([span!.name, span!.parentSpanId]).toEqual([span!.name, chain[index]!.spanId]),
      );
    // The provider was called with the provider span as its parent.
    const received = provider.requests.find((request) =>
      String(request.headers.traceparent).includes(traceId),
    );
    expect(received?.headers.traceparent).toBe(`00-${traceId}-${chain[5]!.spanId}-01`);
  });

  it("carries a webhook delivery's id in integrations' log lines for it", async () => {
    const deliveryId = `delivery-${randomBytes(6).toString('hex')}`;
    const body = JSON.stringify({ action: 'opened', sender: { id: 1 } });
    const deliver = () =>
      fetch(`${new URL(stack.gatewayUrl).origin}/webhooks/github`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
          'x-github-delivery': deliveryId,
          'x-github-event': 'pull_request',
        },
        body,
      });
    const first = await deliver();
    expect(first.status).toBe(200);
    const again = await deliver();
    expect(await again.json()).toMatchObject({ duplicate: true });

    const handling = (requestId: string | null) =>
      lines.integrations!.filter((l) => l.requestId === requestId && String(l.msg).startsWith('webhook'));
    expect(handling(first.headers.get('x-request-id'))).toEqual([
      expect.objectContaining({ msg: 'webhook delivery stored', deliveryId, providerId: 'github' }),
    ]);
    expect(handling(again.headers.get('x-request-id'))).toEqual([
      expect.objectContaining({ msg: 'webhook delivery repeated; stored once before', deliveryId }),
    ]);
  });
});

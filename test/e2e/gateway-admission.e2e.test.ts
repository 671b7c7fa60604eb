// Admission control through the real gateway: beyond its concurrency and queue, a GraphQL request is refused at
// once with 503 OVERLOADED and Retry-After, while admitted ones complete and health, readiness and metrics still
// answer. Driven by mechanism: the subgraph holds its answers until the test releases them.
import { Leftovers, postGraphQL } from '@atrium/platform/testing';
import {
  composeSupergraph,
  metricValue,
  startGateway,
  startTinySubgraph,
  FEDERATION_LINK,
  type TestGateway,
} from './gateway-harness';

describe('gateway admission control', () => {
  const leftovers = new Leftovers();
  let gateway: TestGateway;
  let entered = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));

  beforeAll(async () => {
    const slow = leftovers.add(
      await startTinySubgraph({
        name: 'monitoring',
        typeDefs: `${FEDERATION_LINK}\ntype Query { slow: String }`,
        resolvers: {
          Query: {
            slow: async () => {
              entered++;
              await gate;
              return 'done';
            },
          },
        },
      }),
      (s) => s.server.stop(),
    );
    gateway = leftovers.add(
      await startGateway({
        supergraphSdl: composeSupergraph([slow]),
        urls: { monitoring: slow.url },
        env: {
          ADMISSION_MAX_CONCURRENT: '1',
          ADMISSION_MAX_QUEUE: '1',
          // Long enough never to fire here: the refusal below is by a full queue, not by time.
          ADMISSION_QUEUE_TIMEOUT_MS: '60000',
          ADMISSION_MAX_EVENT_LOOP_DELAY_MS: '0',
          ADMISSION_RETRY_AFTER_SECONDS: '2',
        },
      }),
      (g) => g.stop(),
    );
  });
  afterAll(() => leftovers.dispose());

  async function until(condition: () => Promise<boolean>): Promise<void> {
    while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  it('sheds the request beyond capacity with 503 OVERLOADED and Retry-After, never health checks', async () => {
    const admitted = postGraphQL(gateway.url, '{ slow }');
    await until(async () => entered === 1);
    const queued = postGraphQL(gateway.url, '{ slow }');
    await until(async () => (await metricValue(gateway.origin, 'atrium_gateway_admission_queued')) === 1);

    const shed = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ slow }' }),
    });
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('2');
    const body = (await shed.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'OVERLOADED', retryAfterSeconds: 2 });
    expect(entered).toBe(1);

    for (const path of ['/healthz', '/readyz', '/metrics'])
      expect((await fetch(`${gateway.origin}${path}`)).status).toBe(200);
    expect(
      await metricValue(gateway.origin, 'atrium_gateway_admission_rejected_total', { reason: 'queue_full' }),
    ).toBe(1);
    expect(await metricValue(gateway.origin, 'atrium_gateway_admission_in_flight')).toBe(1);

    release();
    for (const response of await Promise.all([admitted, queued])) {
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ slow: 'done' });
    }
    await until(async () => (await metricValue(gateway.origin, 'atrium_gateway_admission_in_flight')) === 0);
    expect(await metricValue(gateway.origin, 'atrium_gateway_admission_queued')).toBe(0);
  });
});

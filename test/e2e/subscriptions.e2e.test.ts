// Live updates through the gateway: the real graphql-ws client, the real gateway and the four real subgraphs.
import { postGraphQL } from '@atrium/platform/testing';
import { startStack, type Stack } from '../src/stack';
import { collect, eventually, rawSocket, signUp, wsClient, type WsResult } from '../src/ws-client';
import { WATCH, type WatchEvent } from '../src/watch-job';
import { metricValue } from './gateway-harness';

describe('subscriptions through the gateway (graphql-ws)', () => {
  let stack: Stack;
  let ada: { accessToken: string; userId: string };
  let bob: { accessToken: string; userId: string };

  beforeAll(async () => {
    // Slow enough chunks that the job is still running when the subscription starts.
    stack = await startStack({ env: { GENERATION_LOCAL_CHUNK_DELAY_MS: '25' } });
    ada = await signUp(stack.gatewayUrl, 'Ada Lovelace');
    bob = await signUp(stack.gatewayUrl, 'Bob Builder');
  }, 60_000);
  afterAll(() => stack?.stop());

  // Identical jobs are answered from the response cache at once: `prompt` makes one that really streams.
  const generate = async (token: string, prompt = 'Position us against Acme') => {
    const response = await postGraphQL<{ generate: { id: string } }>(
      stack.gatewayUrl,
      'mutation($i: GenerateInput!) { generate(input: $i) { id } }',
      {
        variables: {
          i: {
            kind: 'BATTLECARD',
            prompt,
            battlecard: { competitorName: 'Acme' },
          },
        },
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(response.body.errors).toBeUndefined();
    return response.body.data!.generate.id;
  };

  it('watches a job from generate to SUCCEEDED, owner resolved from identity on every event, deltas gap-free', async () => {
    const client = wsClient(stack.gatewayUrl, `Bearer ${ada.accessToken}`);
    try {
      const id = await generate(ada.accessToken);
      const { results, error } = await collect<WatchEvent>(client, WATCH, { id });
      expect(error).toBeUndefined();
      expect(results.length).toBeGreaterThan(2);
      for (const result of results) {
        expect(result.errors).toBeUndefined();
        expect(result.data!.generationJobUpdated.job.owner).toEqual({ displayName: 'Ada Lovelace' });
      }
      const events = results.map((r) => r.data!.generationJobUpdated);
      expect(events[0]!.type).toBe('SNAPSHOT');
      // Sequence numbers increase by one from the snapshot on: nothing lost, nothing twice, in order.
      events.forEach((event, index) => expect(event.sequence).toBe(events[0]!.sequence + index));
      const last = events[events.length - 1]!;
      expect(last.job.status).toBe('SUCCEEDED');
      // The snapshot's output plus every delta after it is the job's final output.
      let output = events[0]!.job.output ?? '';
      for (const event of events.slice(1)) {
        if (event.outputReset) output = event.job.output ?? '';
        else if (event.type === 'OUTPUT_DELTA') output += event.delta ?? '';
      }
      expect(output).toBe(last.job.output);
      expect(events.some((event) => event.type === 'OUTPUT_DELTA')).toBe(true);
    } finally {
      await client.dispose();
    }
  });

  it("refuses another user's job with NOT_FOUND and shows nothing of it", async () => {
    const id = await generate(ada.accessToken);
    const client = wsClient(stack.gatewayUrl, `Bearer ${bob.accessToken}`);
    try {
      const { results } = await collect<WatchEvent>(client, WATCH, { id });
      expect(results).toHaveLength(1);
      expect(results[0]!.data ?? null).toBeNull();
      expect(results[0]!.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
      expect(JSON.stringify(results)).not.toContain('Acme');
    } finally {
      await client.dispose();
    }
  });

  it('serves an API-key subscriber within its scopes and refuses one outside them', async () => {
    const createKey = async (scopes: string[]) => {
      const response = await postGraphQL<{ createApiKey: { secret: string } }>(
        stack.gatewayUrl,
        'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
        {
          variables: { i: { name: `ws ${scopes.join(' ')}`, scopes } },
          headers: { authorization: `Bearer ${ada.accessToken}` },
        },
      );
      expect(response.body.errors).toBeUndefined();
      return response.body.data!.createApiKey.secret;
    };
    const reader = await createKey(['generation:read', 'profile:read']);
    const outsider = await createKey(['profile:read']);
    const id = await generate(ada.accessToken);

    const withScope = wsClient(stack.gatewayUrl, `Bearer ${reader}`);
    const withoutScope = wsClient(stack.gatewayUrl, `Bearer ${outsider}`);
    try {
      const served = await collect<WatchEvent>(withScope, WATCH, { id });
      expect(served.error).toBeUndefined();
      const events = served.results.map((r) => r.data!.generationJobUpdated);
      expect(events[events.length - 1]!.job.status).toBe('SUCCEEDED');
      expect(events[0]!.job.owner).toEqual({ displayName: 'Ada Lovelace' });

      // Refused when the subscription starts: one FORBIDDEN, then the operation ends (no event, no open stream).
      const refused = await collect<WatchEvent>(withoutScope, WATCH, { id });
      const errors = refused.results.flatMap((r) => r.errors ?? []);
      expect(errors.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(refused.results.every((r) => !r.data)).toBe(true);
      // myGenerationEvents never completes for a reader; for this key it must end at once with the refusal
      // instead of waiting for the first event of one of the owner's jobs.
      const refusedAll = await collect(withoutScope, 'subscription { myGenerationEvents { sequence } }');
      expect(refusedAll.results.flatMap((r) => r.errors ?? []).map((e) => e.extensions?.code)).toEqual([
        'FORBIDDEN',
      ]);
      expect(refusedAll.results.every((r) => !r.data)).toBe(true);

      // Scope escape through a subscription: a generation:read key reaches the owner through the event's job,
      // but the owner's profile fields stay behind profile:read, exactly as on the HTTP paths.
      const generationOnly = await createKey(['generation:read']);
      const narrow = wsClient(stack.gatewayUrl, `Bearer ${generationOnly}`);
      try {
        const escaped = await collect(
          narrow,
          'subscription($id: ID!) { generationJobUpdated(id: $id) { job { id owner { email } } } }',
          { id },
        );
        const refusedFields = escaped.results.flatMap((r) => r.errors ?? []);
        expect(refusedFields.length).toBeGreaterThan(0);
        expect(
          refusedFields.every((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.at(-1) === 'email'),
        ).toBe(true);
        expect(JSON.stringify(escaped.results)).not.toContain('@');
      } finally {
        await narrow.dispose();
      }
    } finally {
      await withScope.dispose();
      await withoutScope.dispose();
    }
  });

  it('answers a subscription sent by HTTP POST with 400 SUBSCRIPTION_REQUIRES_WEBSOCKET, never a 500', async () => {
    const response = await postGraphQL(stack.gatewayUrl, WATCH, {
      variables: { id: 'x' },
      headers: { authorization: `Bearer ${ada.accessToken}` },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('SUBSCRIPTION_REQUIRES_WEBSOCKET');
    expect(response.body.errors?.[0]?.message).toContain('graphql-transport-ws');
  });

  it.each([
    ['no credentials', undefined],
    ['a malformed token', 'Bearer not-a-token'],
    ['a forged API key', 'Bearer atr_forged_0123456789'],
  ])('closes a connection with %s with 4403 before any ack', async (_label, authorization) => {
    const closed = await new Promise<number>((resolve) => {
      const client = wsClient(stack.gatewayUrl, authorization, {
        lazy: false,
        onNonLazyError: () => undefined,
        on: { closed: (event) => resolve((event as { code: number }).code) },
      });
      void client;
    });
    expect(closed).toBe(4403);
  });

  it('runs queries over the socket with the HTTP limits and masking (a bad operation is an error, the socket stays)', async () => {
    const client = wsClient(stack.gatewayUrl, `Bearer ${ada.accessToken}`);
    try {
      const me = await collect(client, '{ me { id } }');
      expect(me.results).toEqual([{ data: { me: { id: ada.userId } } }]);
      const deep = `{ me { ${'generationJobs { edges { node { owner { '.repeat(4)} id ${'} } } }'.repeat(4)} } }`;
      const tooDeep = await collect(client, deep);
      expect(tooDeep.error).toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
        }),
      ]);
      const syntax = await collect(client, 'subscription { generationJobUpdated(id: ');
      expect((syntax.error as WsResult['errors'])?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
      const twoRoots = await collect(
        client,
        'subscription { a: myGenerationEvents { sequence } b: myGenerationEvents { sequence } }',
      );
      expect((twoRoots.error as WsResult['errors'])?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      // Still the same, working socket.
      expect((await collect(client, '{ me { id } }')).results).toHaveLength(1);
    } finally {
      await client.dispose();
    }
  });

  it('closes a socket speaking the legacy protocol with 4406 and an Origin not allowed gets 403', async () => {
    const legacy = await rawSocket(stack.gatewayUrl, { protocol: 'graphql-ws' });
    expect((await legacy.closed).code).toBe(4406);
    const none = await rawSocket(stack.gatewayUrl, { protocol: '' });
    expect((await none.closed).code).toBe(4406);
    const foreign = await rawSocket(stack.gatewayUrl, { headers: { origin: 'https://evil.example' } });
    await expect(foreign.opened).rejects.toThrow(/403/);
  });

  it('releases the upstream when a client drops its socket mid-stream, counted in the gateway metrics', async () => {
    const origin = new URL(stack.gatewayUrl).origin;
    const metric = (name: string, labels?: Record<string, string>) =>
      metricValue(origin, `atrium_gateway_${name}`, labels);
    const clientEnds = await metric('subscription_terminations_total', { reason: 'client' });
    const id = await generate(ada.accessToken, 'Position us against Acme, for a client that drops');
    const raw = await rawSocket(stack.gatewayUrl);
    await raw.opened;
    raw.send({ type: 'connection_init', payload: { authorization: `Bearer ${ada.accessToken}` } });
    await eventually(() => raw.messages.some((m) => m.type === 'connection_ack'));
    raw.send({ id: 'watch', type: 'subscribe', payload: { query: WATCH, variables: { id } } });
    await eventually(() => raw.messages.some((m) => m.type === 'next'));
    expect(await metric('subscription_upstream_streams', { subgraph: 'generation' })).toBe(1);
    expect(await metric('subscriptions_active')).toBe(1);

    // No `complete`, no close frame: the connection is simply gone, as when a laptop lid closes.
    raw.socket.terminate();
    await eventually(async () => (await metric('subscription_upstream_streams')) === 0);
    expect(await metric('subscriptions_active')).toBe(0);
    expect(await metric('subscription_connections')).toBe(0);
    expect(await metric('subscription_queued_events')).toBe(0);
    expect(await metric('subscription_terminations_total', { reason: 'client' })).toBe(clientEnds + 1);
  });

  // Last: it stops the generation subgraph of this stack.
  it('ends a watched job with SUBSCRIPTION_UPSTREAM_ERROR when the generation subgraph dies mid-stream', async () => {
    const client = wsClient(stack.gatewayUrl, `Bearer ${ada.accessToken}`);
    try {
      const id = await generate(ada.accessToken, 'Position us against Acme, until the service dies');
      const results: WsResult<WatchEvent>[] = [];
      const outcome = collect<WatchEvent>(client, WATCH, { id }, { onResult: (r) => results.push(r) });
      while (results.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await stack.subgraphs.generation.server.stop();
      const { results: all, error } = await outcome;
      expect(error).toBeUndefined();
      const last = all[all.length - 1]!;
      // Either the job finished before the subgraph went away, or the subscriber is told with a code.
      const finished = last.data?.generationJobUpdated.job.status === 'SUCCEEDED';
      if (!finished) {
        expect(last.errors?.[0]?.extensions).toEqual(
          expect.objectContaining({ code: 'SUBSCRIPTION_UPSTREAM_ERROR', service: 'generation' }),
        );
      }
    } finally {
      await client.dispose();
    }
  }, 60_000);
});

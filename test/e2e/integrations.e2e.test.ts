import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Leftovers, LogCapture, postGraphQL } from '@atrium/platform/testing';
import { startStack, type Stack } from '../src/stack';

const ALICE_KEY = 'sk-alice-own-key-0123456789abcdefghij';
const DEPLOYMENT_KEY = 'sk-deployment-key-0123456789abcdefgh';
const WEBHOOK_SECRET = 'e2e-github-webhook-secret';
const PASSWORD = 'an end-to-end password';

/**
 * An OpenAI-compatible server: `GET /v1/models` and streamed `POST /v1/chat/completions` for the keys it
 * accepts, 401 for any other. It records which key each request carried.
 */
async function fakeOpenAi(leftovers: Leftovers) {
  const accepted = new Set([ALICE_KEY, DEPLOYMENT_KEY]);
  const seen: Array<{ path: string; key: string }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      seen.push({ path: req.url ?? '', key });
      if (!accepted.has(key)) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: { type: 'invalid_api_key' } }));
      }
      if (req.url === '/v1/models') return void res.end(JSON.stringify({ data: [{ id: 'gpt-test' }] }));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
      chunk({ choices: [{ delta: { content: '# Summary\n\nWritten on ' }, finish_reason: null }] });
      chunk({
        choices: [{ delta: { content: key === ALICE_KEY ? 'your key.' : 'ours.' }, finish_reason: 'stop' }],
      });
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  leftovers.add(server, (s) => new Promise((resolve) => s.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, accepted, seen };
}

describe('integrations through the gateway', () => {
  const leftovers = new Leftovers();
  const logs = new LogCapture('e2e');
  const answers: unknown[] = [];
  let stack: Stack;
  let openAi: Awaited<ReturnType<typeof fakeOpenAi>>;
  let alice: { token: string; id: string };
  let bob: { token: string; id: string };
  let takes = 0;

  const gql = async (token: string | null, query: string, variables?: Record<string, unknown>) => {
    const response = await postGraphQL<any>(stack.gatewayUrl, query, {
      variables,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    answers.push(response.body);
    return response.body;
  };
  const signUp = async (name: string) => {
    const body = await gql(
      null,
      'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } } }',
      {
        i: { email: `${name}-${Date.now()}@example.test`, password: PASSWORD, displayName: name },
      },
    );
    return { token: body.data.signUp.accessToken as string, id: body.data.signUp.user.id as string };
  };
  const generate = async (user: { token: string }) => {
    const created = await gql(
      user.token,
      'mutation($p: String!) { generate(input: { kind: SUMMARY, prompt: $p }) { id } }',
      // A new prompt each time: an identical one would be answered from the response cache.
      { p: `Our quarter in review, take ${++takes}` },
    );
    const id = created.data.generate.id as string;
    for (let i = 0; i < 400; i++) {
      const { data } = await gql(
        user.token,
        'query($id: ID!) { generationJob(id: $id) { status output provider providerKeyOwner error { code retryable } } }',
        { id },
      );
      if (['SUCCEEDED', 'FAILED'].includes(data.generationJob.status)) return data.generationJob;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the job did not finish');
  };

  beforeAll(async () => {
    openAi = await fakeOpenAi(leftovers);
    stack = await startStack({
      log: logs.log,
      env: {
        GENERATION_PROVIDERS: `openai:gpt-test@${openAi.url}`,
        OPENAI_API_KEY: DEPLOYMENT_KEY,
        INTEGRATIONS_OPENAI_BASE_URL: openAi.url,
        WEBHOOK_GITHUB_SECRET: WEBHOOK_SECRET,
        INTEGRATIONS_FRONTEND_URL: 'http://frontend.test/connections',
      },
    });
    leftovers.defer(() => stack.stop());
    alice = await signUp('alice');
    bob = await signUp('bob');
  });
  afterAll(() => leftovers.dispose());

  let connectionId: string;

  it('connects an API-key provider and shows it in me { connections }', async () => {
    const connected = await gql(
      alice.token,
      'mutation($k: String!) { connectWithApiKey(providerId: "openai", apiKey: $k) { id status } }',
      { k: ALICE_KEY },
    );
    expect(connected.errors).toBeUndefined();
    connectionId = connected.data.connectWithApiKey.id;
    const me = await gql(
      alice.token,
      '{ me { connections { id status provider { id authScheme configured } owner { id } } } }',
    );
    expect(me.data.me.connections).toEqual([
      {
        id: connectionId,
        status: 'ACTIVE',
        provider: { id: 'openai', authScheme: 'API_KEY', configured: true },
        owner: { id: alice.id },
      },
    ]);
  });

  it("runs the user's jobs on their own key, and other users' on the deployment's", async () => {
    const own = await generate(alice);
    expect(own).toMatchObject({
      status: 'SUCCEEDED',
      provider: 'openai',
      providerKeyOwner: 'USER',
      output: expect.stringContaining('your key'),
    });
    expect(openAi.seen).toContainEqual({ path: '/v1/chat/completions', key: ALICE_KEY });
    const deployment = await generate(bob);
    expect(deployment).toMatchObject({
      status: 'SUCCEEDED',
      providerKeyOwner: 'DEPLOYMENT',
      output: expect.stringContaining('ours'),
    });
    expect(openAi.seen.at(-1)).toEqual({ path: '/v1/chat/completions', key: DEPLOYMENT_KEY });
  });

  it("keeps another user's connection invisible", async () => {
    expect((await gql(bob.token, '{ me { connections { id } } }')).data.me.connections).toEqual([]);
    const single = await gql(bob.token, 'query($id: ID!) { connection(id: $id) { id } }', {
      id: connectionId,
    });
    expect(single.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const theirs = await gql(bob.token, 'query($id: ID!) { user(id: $id) { id connections { id } } }', {
      id: alice.id,
    });
    expect(JSON.stringify(theirs)).not.toContain(connectionId);
    const takeover = await gql(bob.token, 'mutation($id: ID!) { disconnect(id: $id) { id } }', {
      id: connectionId,
    });
    expect(takeover.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('a key the provider rejects fails the job with a coded, non-retryable error and marks the connection', async () => {
    openAi.accepted.delete(ALICE_KEY);
    const failed = await generate(alice);
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: { code: 'PROVIDER_KEY_REJECTED', retryable: false },
    });
    const { data } = await gql(alice.token, 'query($id: ID!) { connection(id: $id) { status lastError } }', {
      id: connectionId,
    });
    expect(data.connection).toEqual({ status: 'REFRESH_FAILED', lastError: expect.stringContaining('401') });
    openAi.accepted.add(ALICE_KEY);
  });

  it('after disconnect, jobs run on the deployment again', async () => {
    const { data } = await gql(alice.token, 'mutation($id: ID!) { disconnect(id: $id) { status } }', {
      id: connectionId,
    });
    expect(data.disconnect.status).toBe('REVOKED');
    expect(await generate(alice)).toMatchObject({ status: 'SUCCEEDED', providerKeyOwner: 'DEPLOYMENT' });
  });

  it('verifies webhooks at POST /webhooks/:providerId, with a body limit at the gateway', async () => {
    const origin = new URL(stack.gatewayUrl).origin;
    const body = JSON.stringify({ action: 'opened', sender: { id: 1 } });
    const signature = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
    const deliver = (payload: string, headers: Record<string, string>) =>
      fetch(`${origin}/webhooks/github`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
      });
    const ok = await deliver(body, {
      'x-hub-signature-256': signature,
      'x-github-delivery': 'd-1',
      'x-github-event': 'pull_request',
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ received: true, duplicate: false });
    const tampered = await deliver(body.replace('opened', 'closed'), { 'x-hub-signature-256': signature });
    expect(tampered.status).toBe(401);
    expect(JSON.stringify(await tampered.json())).not.toContain('127.0.0.1');
    const huge = await deliver(JSON.stringify({ padding: 'x'.repeat(1_100_000) }), {
      'x-hub-signature-256': signature,
    });
    expect(huge.status).toBe(413);
  });

  it('serves GET /oauth/callback: an unknown state sends the browser to the frontend with a coded error', async () => {
    const response = await fetch(`${new URL(stack.gatewayUrl).origin}/oauth/callback?state=forged&code=x`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('http://frontend.test/connections');
    expect(location.searchParams.get('error')).toBe('OAUTH_STATE_INVALID');
  });

  it('never shows a key in an answer or a log line', () => {
    const haystack = JSON.stringify(answers) + logs.text;
    expect(logs.raw.length).toBeGreaterThan(0);
    expect(haystack).not.toContain(ALICE_KEY);
    expect(haystack).not.toContain(DEPLOYMENT_KEY);
  });
});

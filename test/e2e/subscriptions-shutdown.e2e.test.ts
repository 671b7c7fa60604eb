// SIGTERM to a real gateway process with a live subscription: the subscriber gets SUBSCRIPTION_SHUTDOWN, its
// socket closes 1001, and the process exits 0. The gateway runs from gateway/src/main.ts through swc, in front
// of the four real subgraphs running in this process.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Leftovers, postGraphQL } from '@atrium/platform/testing';
import { startStack, TEST_INTERNAL_SECRET, type Stack } from '../src/stack';
import { eventually, signUp, wsClient, type WsResult } from '../src/ws-client';

const MAIN = resolve(__dirname, '..', '..', 'gateway', 'src', 'main.ts');
const REGISTER = join(__dirname, '..', '..', 'scripts', 'ts-register.js');

describe('gateway process shutdown with live subscriptions', () => {
  const leftovers = new Leftovers();
  let stack: Stack;
  let child: ChildProcess;
  let url: string;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  beforeAll(async () => {
    stack = leftovers.add(await startStack({ env: { GENERATION_LOCAL_CHUNK_DELAY_MS: '40' } }), (s) =>
      s.stop(),
    );
    child = spawn(process.execPath, ['-r', REGISTER, MAIN], {
      env: {
        PATH: process.env.PATH,
        INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
        LOG_LEVEL: 'info',
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: '0',
        SHUTDOWN_TIMEOUT_MS: '5000',
        IDENTITY_URL: stack.subgraphs.identity.url,
        INTEGRATIONS_URL: stack.subgraphs.integrations.url,
        GENERATION_URL: stack.subgraphs.generation.url,
        MONITORING_URL: stack.subgraphs.monitoring.url,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    leftovers.defer(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
    url = await new Promise<string>((ready, failed) => {
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const line = buffered.split('\n').find((l) => l.includes('"msg":"ready"'));
        if (line) ready((JSON.parse(line) as { url: string }).url);
      });
      child.once('exit', (code) => failed(new Error(`gateway exited before it was ready (${code})`)));
    });
  }, 90_000);
  afterAll(() => leftovers.dispose());

  it('ends each subscription with SUBSCRIPTION_SHUTDOWN, closes its socket 1001 and exits 0', async () => {
    const ada = await signUp(url, 'Ada Shutdown');
    let closeCode: number | undefined;
    const client = wsClient(url, `Bearer ${ada.accessToken}`, {
      lazy: false,
      onNonLazyError: () => undefined,
      on: { closed: (event) => (closeCode = (event as { code: number }).code) },
    });
    leftovers.defer(() => client.dispose());
    const results: WsResult[] = [];
    let completed = false;
    client.subscribe(
      { query: 'subscription { myGenerationEvents { sequence type job { status } } }' },
      {
        next: (r) => void results.push(r as WsResult),
        error: () => undefined,
        complete: () => (completed = true),
      },
    );
    const generated = await postGraphQL(url, 'mutation($i: GenerateInput!) { generate(input: $i) { id } }', {
      variables: { i: { kind: 'SUMMARY', prompt: 'One. Two. Three. Four. Five. Six. Seven. Eight.' } },
      headers: { authorization: `Bearer ${ada.accessToken}` },
    });
    expect(generated.body.errors).toBeUndefined();
    await eventually(() => results.length > 0);

    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    await eventually(() => closeCode !== undefined);
    expect(closeCode).toBe(1001);
    expect(completed).toBe(true);
    expect(results[results.length - 1]!.errors?.[0]?.extensions?.code).toBe('SUBSCRIPTION_SHUTDOWN');
  }, 60_000);
});

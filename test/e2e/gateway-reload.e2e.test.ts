// SIGHUP to a real gateway process: it reads its supergraph file (SUPERGRAPH_PATH) again. A bad file is logged
// and the gateway keeps serving the supergraph it has (subscriptions untouched); a good one is served from then
// on, running subscriptions end with SUBSCRIPTION_SCHEMA_RELOAD then complete, and HTTP keeps answering
// throughout. The gateway runs from gateway/src/main.ts through swc, in front of the four real subgraphs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readSupergraph } from '@atrium/gateway/supergraph';
import { Leftovers, postGraphQL } from '@atrium/platform/testing';
import { startStack, TEST_INTERNAL_SECRET, type Stack } from '../src/stack';
import { eventually, signUp, wsClient, type WsResult } from '../src/ws-client';
import { metricValue } from './gateway-harness';

const MAIN = resolve(__dirname, '..', '..', 'gateway', 'src', 'main.ts');
const REGISTER = join(__dirname, '..', '..', 'scripts', 'ts-register.js');

describe('gateway process reloading its supergraph on SIGHUP', () => {
  const leftovers = new Leftovers();
  const logLines: Array<Record<string, unknown>> = [];
  let stack: Stack;
  let child: ChildProcess;
  let url: string;
  let origin: string;
  let supergraphPath: string;

  beforeAll(async () => {
    stack = leftovers.add(await startStack(), (s) => s.stop());
    const dir = await mkdtemp(join(tmpdir(), 'atrium-reload-'));
    leftovers.defer(() => rm(dir, { recursive: true, force: true }));
    supergraphPath = join(dir, 'supergraph.graphql');
    await writeFile(supergraphPath, readSupergraph());
    child = spawn(process.execPath, ['-r', REGISTER, MAIN], {
      env: {
        PATH: process.env.PATH,
        INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
        LOG_LEVEL: 'info',
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: '0',
        SUPERGRAPH_PATH: supergraphPath,
        // Load shedding (503 OVERLOADED while the event loop lags, e.g. on a loaded test machine, or briefly while
        // a reload builds the new schema) is the overload suite's subject; here every request must be answered.
        ADMISSION_MAX_CONCURRENT: '0',
        IDENTITY_URL: stack.subgraphs.identity.url,
        INTEGRATIONS_URL: stack.subgraphs.integrations.url,
        GENERATION_URL: stack.subgraphs.generation.url,
        MONITORING_URL: stack.subgraphs.monitoring.url,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    leftovers.defer(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    });
    url = await new Promise<string>((ready, failed) => {
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          if (!line.startsWith('{')) continue;
          const parsed = JSON.parse(line) as Record<string, unknown>;
          logLines.push(parsed);
          if (parsed.msg === 'ready') ready(parsed.url as string);
        }
      });
      child.once('exit', (code) => failed(new Error(`gateway exited before it was ready (${code})`)));
    });
    origin = new URL(url).origin;
  }, 90_000);
  afterAll(() => leftovers.dispose());

  const reloads = (outcome: string) =>
    metricValue(origin, 'atrium_gateway_supergraph_reloads_total', { outcome });

  /** A subscription that stays open (`myGenerationEvents` never completes on its own). */
  function watchMyEvents(token: string) {
    const client = wsClient(url, `Bearer ${token}`);
    leftovers.defer(() => client.dispose());
    const results: WsResult[] = [];
    let completed = false;
    let failed: unknown;
    client.subscribe(
      { query: 'subscription { myGenerationEvents { sequence type } }' },
      {
        next: (result) => void results.push(result as WsResult),
        error: (error) => (failed = error),
        complete: () => (completed = true),
      },
    );
    return { results, completed: () => completed, failed: () => failed };
  }

  const me = (token: string) =>
    postGraphQL<{ me: { id: string } }>(url, '{ me { id } }', {
      headers: { authorization: `Bearer ${token}` },
    });

  it('keeps serving its supergraph when the file is bad, and logs why', async () => {
    const ada = await signUp(url, 'Ada Reload');
    const watch = watchMyEvents(ada.accessToken);
    await eventually(
      async () => (await metricValue(origin, 'atrium_gateway_subscription_upstream_streams')) === 1,
    );
    await writeFile(supergraphPath, 'this is { not a supergraph');
    child.kill('SIGHUP');
    await eventually(async () => (await reloads('failed')) === 1);

    expect(logLines).toContainEqual(
      expect.objectContaining({
        level: 50, // pino's error
        msg: 'supergraph reload failed; still serving the previous supergraph',
        path: supergraphPath,
      }),
    );
    expect(child.exitCode).toBeNull();
    const answer = await me(ada.accessToken);
    expect(answer.status).toBe(200);
    expect(answer.body.data?.me.id).toBe(ada.userId);
    // The running subscription was not touched.
    expect(watch.completed()).toBe(false);
    expect(watch.results).toEqual([]);
    expect(await metricValue(origin, 'atrium_gateway_subscriptions_active')).toBe(1);
    expect(await reloads('reloaded')).toBe(0);
  });

  it('serves a good file: subscriptions end with SUBSCRIPTION_SCHEMA_RELOAD, HTTP answers throughout', async () => {
    const bob = await signUp(url, 'Bob Reload');
    const watch = watchMyEvents(bob.accessToken);
    await eventually(async () => (await metricValue(origin, 'atrium_gateway_subscriptions_active')) === 2);
    await writeFile(supergraphPath, `${readSupergraph()}\n# reloaded on SIGHUP\n`);
    // Requests in flight while the signal arrives are answered like any other.
    const during = Array.from({ length: 10 }, () => me(bob.accessToken));
    child.kill('SIGHUP');
    const answers = await Promise.all(during);
    expect(answers.map((a) => [a.status, a.body.data?.me.id])).toEqual(answers.map(() => [200, bob.userId]));

    await eventually(() => watch.completed());
    expect(watch.failed()).toBeUndefined();
    expect(watch.results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['SUBSCRIPTION_SCHEMA_RELOAD']);
    expect(await reloads('reloaded')).toBe(1);
    expect(
      await metricValue(origin, 'atrium_gateway_subscription_terminations_total', {
        reason: 'schema_reload',
      }),
    ).toBe(2);
    await eventually(async () => (await metricValue(origin, 'atrium_gateway_subscriptions_active')) === 0);
    // Info lines reach stdout in batches (platform/logging's BufferedDestination), a moment after the reload.
    await eventually(() =>
      logLines.some(
        (line) =>
          line.msg === 'supergraph reload' && line.outcome === 'reloaded' && line.path === supergraphPath,
      ),
    );

    // The same file again changes nothing; a new subscription is served by the new supergraph.
    child.kill('SIGHUP');
    await eventually(async () => (await reloads('unchanged')) === 1);
    const again = watchMyEvents(bob.accessToken);
    await eventually(
      async () => (await metricValue(origin, 'atrium_gateway_subscription_upstream_streams')) === 1,
    );
    expect(again.completed()).toBe(false);
    expect((await me(bob.accessToken)).body.data?.me.id).toBe(bob.userId);
  });
});

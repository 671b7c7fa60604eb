// SIGTERM to a real gateway process under load: readiness turns false at once, requests in flight finish,
// and the process exits 0. The gateway runs from its TypeScript sources (gateway/src/main.ts) through swc.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Leftovers, postGraphQL } from '@atrium/platform/testing';
import { startIdentity } from './gateway-graph';
import { composeSupergraph, gatewayEnv, type TinySubgraph } from './gateway-harness';

const MAIN = resolve(__dirname, '..', '..', 'gateway', 'src', 'main.ts');
const SHUTDOWN_DELAY_MS = 800;
const IN_FLIGHT_MS = 1500;

describe('gateway process shutdown', () => {
  const leftovers = new Leftovers();
  let identity: TinySubgraph;
  let child: ChildProcess;
  let url: string;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let shuttingDown: Promise<void>;

  beforeAll(async () => {
    identity = leftovers.add(await startIdentity(), (s) => s.server.stop());
    const dir = await mkdtemp(join(tmpdir(), 'atrium-gateway-'));
    leftovers.defer(() => rm(dir, { recursive: true, force: true }));
    const supergraphPath = join(dir, 'supergraph.graphql');
    await writeFile(supergraphPath, composeSupergraph([identity]));
    child = spawn(process.execPath, ['-r', join(__dirname, '../../scripts/ts-register.js'), MAIN], {
      env: {
        PATH: process.env.PATH,
        ...gatewayEnv(
          { identity: identity.url },
          {
            LOG_LEVEL: 'info',
            GATEWAY_HOST: '127.0.0.1',
            GATEWAY_PORT: '0',
            SUPERGRAPH_PATH: supergraphPath,
            SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
            SHUTDOWN_TIMEOUT_MS: '10000',
            // This suite is about shutdown; on a loaded machine the event-loop gate of admission control could
            // refuse the in-flight burst (that gate has its own tests).
            ADMISSION_MAX_EVENT_LOOP_DELAY_MS: '0',
          },
        ),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    leftovers.defer(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => (buffered += chunk.toString()));
    // The process logs this line once it has taken the signal: what happens next is then up to it, not timing.
    shuttingDown = new Promise((resolve) =>
      child.stdout!.on('data', () => buffered.includes('"msg":"shutting down"') && resolve()),
    );
    url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', () => {
        const ready = buffered.split('\n').find((line) => line.includes('"msg":"ready"'));
        if (ready) resolve((JSON.parse(ready) as { url: string }).url);
      });
      child.once('exit', (code) => reject(new Error(`gateway exited before it was ready (${code})`)));
    });
  }, 60_000);
  afterAll(() => leftovers.dispose());

  it('turns readiness false, finishes the requests in flight, then exits 0', async () => {
    const origin = new URL(url).origin;
    expect((await fetch(`${origin}/readyz`)).status).toBe(200);
    const inFlight = Array.from({ length: 10 }, () => postGraphQL(url, `{ wait(ms: ${IN_FLIGHT_MS}) }`));
    // Let them reach the subgraph before the signal.
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    await shuttingDown;

    const readiness = await fetch(`${origin}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toMatchObject({ status: 'DOWN', shuttingDown: true });
    // Still served while load balancers catch up with the readiness change.
    expect((await postGraphQL(url, '{ me { id } }')).body.data).toEqual({ me: { id: 'u1' } });

    const answers = await Promise.all(inFlight);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ data: { wait: IN_FLIGHT_MS } });
    }
    expect(await exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${origin}/healthz`)).rejects.toThrow();
  });
});

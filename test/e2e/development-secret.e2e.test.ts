// Issue 10, family 10: a development stack started the way `npm start` starts it (no INTERNAL_TOKEN_SECRET,
// NODE_ENV unset) signs and checks gateway assertions with its data directory's own generated secret, so an
// ADMIN assertion forged with the value that used to be the repository's fixed development secret is refused.
// The monitoring subgraph runs as its own process from src/main.ts (through swc), the same entry npm start runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ANONYMOUS,
  INTERNAL_ASSERTION_HEADER,
  signInternalAssertion,
  type Principal,
} from '@atrium/platform/auth';
import { DEVELOPMENT_SECRET_FILE, PUBLISHED_INTERNAL_SECRETS } from '@atrium/platform/config';
import { Leftovers, postGraphQL } from '@atrium/platform/testing';
import { closedPort } from './gateway-harness';

const ROOT = resolve(__dirname, '..', '..');
const MAIN = join(ROOT, 'subgraphs', 'monitoring', 'src', 'main.ts');
const REGISTER = join(ROOT, 'scripts', 'ts-register.js');
const ADMIN: Principal = { ...ANONYMOUS, kind: 'user', userId: 'forged-admin', roles: ['ADMIN'] };
const ALERTS = '{ alerts { id } }';

function startMonitoring(env: Record<string, string>, leftovers: Leftovers) {
  const child: ChildProcess = spawn(process.execPath, ['-r', REGISTER, MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', MONITORING_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  leftovers.defer(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<string>((done, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /"url":"([^"]+)"[^\n]*"msg":"ready"/.exec(stdout);
      if (match) done(match[1]!);
    });
    child.once('exit', (code) => fail(new Error(`monitoring exited (${code}): ${stderr.slice(0, 2000)}`)));
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((done) =>
    child.once('exit', (code) => done({ code, stderr })),
  );
  return { ready, exit };
}

describe('the development secret of a stack started like npm start', () => {
  const leftovers = new Leftovers();
  let dataDir: string;
  let url: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'atrium-devsecret-'));
    leftovers.defer(() => rm(dataDir, { recursive: true, force: true }));
    const started = startMonitoring(
      { ATRIUM_DATA_DIR: dataDir, MONITORING_TARGETS: `nobody=http://127.0.0.1:${await closedPort()}` },
      leftovers,
    );
    url = await started.ready;
  }, 60_000);
  afterAll(() => leftovers.dispose());

  const ask = async (secret: string) =>
    postGraphQL<{ alerts: unknown[] }>(url, ALERTS, {
      headers: {
        [INTERNAL_ASSERTION_HEADER]: await signInternalAssertion(ADMIN, { secret, audience: 'monitoring' }),
      },
    });

  it('refuses an ADMIN assertion signed with the former fixed development secret (401)', async () => {
    const forged = await ask(PUBLISHED_INTERNAL_SECRETS[0]!);
    expect(forged.status).toBe(401);
    expect(forged.body.data).toBeUndefined();
  });

  it('accepts one signed with the secret generated in its data directory, which only its owner can read', async () => {
    const secret = (await readFile(join(dataDir, DEVELOPMENT_SECRET_FILE), 'utf8')).trim();
    const genuine = await ask(secret);
    expect(genuine.status).toBe(200);
    expect(genuine.body).toEqual({ data: { alerts: [] } });
  });

  it('in production, refuses to start without a configured secret and generates none', async () => {
    const productionDir = await mkdtemp(join(tmpdir(), 'atrium-devsecret-prod-'));
    leftovers.defer(() => rm(productionDir, { recursive: true, force: true }));
    const started = startMonitoring({ NODE_ENV: 'production', ATRIUM_DATA_DIR: productionDir }, leftovers);
    started.ready.catch(() => undefined);
    const { code, stderr } = await started.exit;
    expect(code).toBe(1);
    expect(stderr).toContain('INTERNAL_TOKEN_SECRET=(unset): is required in production');
    await expect(readFile(join(productionDir, DEVELOPMENT_SECRET_FILE))).rejects.toThrow(/ENOENT/);
  }, 60_000);
});

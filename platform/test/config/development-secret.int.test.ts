import { spawn } from 'node:child_process';
import { chmodSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ConfigError,
  DEVELOPMENT_SECRET_FILE,
  PUBLISHED_INTERNAL_SECRETS,
  developmentSecret,
  loadConfig,
  withDevelopmentSecret,
} from '../../src/config';
import { subgraphConfigSpec } from '../../src/server';
import { Leftovers } from '../../src/testing';

const leftovers = new Leftovers();
afterAll(() => leftovers.dispose());
const freshDir = () => leftovers.tempDir('atrium-secret-');

const load = (source: Record<string, string | undefined>) =>
  loadConfig(subgraphConfigSpec('identity', 4001), source);

describe('the development INTERNAL_TOKEN_SECRET, one per data directory', () => {
  it('differs between two data directories, is kept in a 0600 file, and stays the same for one directory', () => {
    const [first, second] = [join(freshDir(), 'data'), freshDir()];
    const a = load(withDevelopmentSecret({ ATRIUM_DATA_DIR: first })).INTERNAL_TOKEN_SECRET;
    const b = load(withDevelopmentSecret({ ATRIUM_DATA_DIR: second })).INTERNAL_TOKEN_SECRET;

    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(PUBLISHED_INTERNAL_SECRETS).not.toContain(a);
    for (const dir of [first, second])
      expect((statSync(join(dir, DEVELOPMENT_SECRET_FILE)).mode & 0o777).toString(8)).toBe('600');
    expect(load(withDevelopmentSecret({ ATRIUM_DATA_DIR: first })).INTERNAL_TOKEN_SECRET).toBe(a);
    // Nothing but the secret is left behind (no draft files).
    expect(readdirSync(second)).toEqual([DEVELOPMENT_SECRET_FILE]);
  });

  it('is one secret when several processes start at once on a new data directory', async () => {
    const dir = freshDir();
    const script = `process.stdout.write(require(${JSON.stringify(resolve(__dirname, '../../src/config/development-secret.ts'))}).developmentSecret(${JSON.stringify(dir)}))`;
    const register = resolve(__dirname, '../../../scripts/ts-register.js');
    const run = () =>
      new Promise<string>((done, fail) => {
        const child = spawn(process.execPath, ['-r', register, '-e', script], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.once('exit', (code) => (code === 0 ? done(out) : fail(new Error(`exit ${code}`))));
      });
    const secrets = await Promise.all([run(), run(), run(), run()]);
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]).toBe(developmentSecret(dir));
  }, 60_000);

  it('leaves a configured secret and production alone; production without one still refuses to start', () => {
    const dir = freshDir();
    expect(withDevelopmentSecret({ ATRIUM_DATA_DIR: dir, INTERNAL_TOKEN_SECRET: 'set-by-operator' })).toEqual(
      {
        ATRIUM_DATA_DIR: dir,
        INTERNAL_TOKEN_SECRET: 'set-by-operator',
      },
    );
    const production = withDevelopmentSecret({ ATRIUM_DATA_DIR: dir, NODE_ENV: 'production' });
    expect(production.INTERNAL_TOKEN_SECRET).toBeUndefined();
    expect(() => load(production)).toThrow(ConfigError);
    expect(() => load(production)).toThrow(/INTERNAL_TOKEN_SECRET=\(unset\): is required in production/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses the value that used to be the fixed development default, in development too', () => {
    expect(() => load({ INTERNAL_TOKEN_SECRET: PUBLISHED_INTERNAL_SECRETS[0] })).toThrow(
      /INTERNAL_TOKEN_SECRET=\[REDACTED\]: is a published development value/,
    );
  });

  it('refuses a secret file other users can read, and one that holds no secret', () => {
    const open = freshDir();
    developmentSecret(open);
    chmodSync(join(open, DEVELOPMENT_SECRET_FILE), 0o644);
    expect(() => developmentSecret(open)).toThrow(/readable or writable by other users \(mode 644\)/);

    const empty = freshDir();
    writeFileSync(join(empty, DEVELOPMENT_SECRET_FILE), '\n', { mode: 0o600 });
    expect(() => developmentSecret(empty)).toThrow(/holds no usable secret/);
  });
});

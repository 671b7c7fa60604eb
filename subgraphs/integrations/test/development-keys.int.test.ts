import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { withDevelopmentSecret } from '@atrium/platform/config';
import { Leftovers } from '@atrium/platform/testing';
import { INTEGRATIONS_ENCRYPTION_DEVELOPMENT_KEYS, loadIntegrationsConfig } from '../src/config';
import { Keyring } from '../src/credentials/keyring';

const leftovers = new Leftovers();
afterAll(() => leftovers.dispose());
const freshDir = () => leftovers.tempDir('atrium-integrations-key-');

/** What integrations' main.ts does with the environment of a start. */
const start = (source: Record<string, string | undefined>) =>
  loadIntegrationsConfig(withDevelopmentSecret(source, INTEGRATIONS_ENCRYPTION_DEVELOPMENT_KEYS));
const keyring = (dir: string) => new Keyring(start({ ATRIUM_DATA_DIR: dir }).integrations.encryptionKeys);
const FILE = INTEGRATIONS_ENCRYPTION_DEVELOPMENT_KEYS.file;
const FORMER = INTEGRATIONS_ENCRYPTION_DEVELOPMENT_KEYS.published[0]!;

describe('the development INTEGRATIONS_ENCRYPTION_KEYS, one per data directory', () => {
  it('differs between two data directories, is kept in a 0600 file, and survives a restart', () => {
    const [first, second] = [freshDir(), freshDir()];
    const a = start({ ATRIUM_DATA_DIR: first }).integrations.encryptionKeys;
    const b = start({ ATRIUM_DATA_DIR: second }).integrations.encryptionKeys;
    expect(a.map((key) => key.id)).toEqual(['dev']);
    expect(a[0]!.key).toHaveLength(32);
    expect(a[0]!.key.equals(b[0]!.key)).toBe(false);
    for (const dir of [first, second])
      expect((statSync(join(dir, FILE)).mode & 0o777).toString(8)).toBe('600');

    // A credential sealed before a restart opens after it (same directory), and not under another directory's key.
    const sealed = keyring(first).seal('sk-live-credential', 'connection-1:apiKey');
    expect(keyring(first).open(sealed, 'connection-1:apiKey')).toBe('sk-live-credential');
    expect(() => keyring(second).open(sealed, 'connection-1:apiKey')).toThrow();
  });

  it('refuses the key that used to be the fixed development default, alone or in a list, in development too', () => {
    const fresh = `k1:${Buffer.alloc(32, 3).toString('base64')}`;
    for (const value of [FORMER, `${fresh},${FORMER}`])
      expect(() => start({ ATRIUM_DATA_DIR: freshDir(), INTEGRATIONS_ENCRYPTION_KEYS: value })).toThrow(
        /INTEGRATIONS_ENCRYPTION_KEYS=\[REDACTED\]: key "dev" is a published development value/,
      );
  });

  it('is required when not generated, and production generates none', () => {
    expect(() => loadIntegrationsConfig({ INTERNAL_TOKEN_SECRET: 'x'.repeat(40) })).toThrow(
      /INTEGRATIONS_ENCRYPTION_KEYS=\(unset\): is required \(generated once per data directory outside production: ATRIUM_DATA_DIR\/integrations-encryption-keys, mode 0600\)/,
    );
    const dir = freshDir();
    expect(() =>
      start({ NODE_ENV: 'production', ATRIUM_DATA_DIR: dir, INTERNAL_TOKEN_SECRET: 'x'.repeat(40) }),
    ).toThrow(/INTEGRATIONS_ENCRYPTION_KEYS=\(unset\): is required in production/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { withDevelopmentSecret } from '@atrium/platform/config';
import { Leftovers } from '@atrium/platform/testing';
import { IDENTITY_ENCRYPTION_DEVELOPMENT_KEY, loadIdentityConfig } from '../src/config';
import { SecretBox } from '../src/crypto/encryption';

const leftovers = new Leftovers();
afterAll(() => leftovers.dispose());
const freshDir = () => leftovers.tempDir('atrium-identity-key-');

/** What identity's main.ts does with the environment of a start. */
const start = (source: Record<string, string | undefined>) =>
  loadIdentityConfig(withDevelopmentSecret(source, IDENTITY_ENCRYPTION_DEVELOPMENT_KEY));
const FILE = IDENTITY_ENCRYPTION_DEVELOPMENT_KEY.file;

describe('the development IDENTITY_ENCRYPTION_KEY, one per data directory', () => {
  it('differs between two data directories, is kept in a 0600 file, and survives a restart', () => {
    const [first, second] = [freshDir(), freshDir()];
    const a = start({ ATRIUM_DATA_DIR: first }).encryptionKey;
    const b = start({ ATRIUM_DATA_DIR: second }).encryptionKey;
    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(IDENTITY_ENCRYPTION_DEVELOPMENT_KEY.published).not.toContain(a);
    for (const dir of [first, second]) {
      expect((statSync(join(dir, FILE)).mode & 0o777).toString(8)).toBe('600');
      expect(readdirSync(dir).sort()).toEqual([FILE, 'internal-token-secret'].sort());
    }

    // A TOTP seed sealed before a restart opens after it (same directory), and not under another directory's key.
    const sealed = new SecretBox(a).seal('JBSWY3DPEHPK3PXP');
    expect(new SecretBox(start({ ATRIUM_DATA_DIR: first }).encryptionKey).open(sealed)).toBe(
      'JBSWY3DPEHPK3PXP',
    );
    expect(() => new SecretBox(b).open(sealed)).toThrow();
  });

  it('refuses the value that used to be the fixed development default, in development too', () => {
    expect(() =>
      start({
        ATRIUM_DATA_DIR: freshDir(),
        IDENTITY_ENCRYPTION_KEY: 'atrium-dev-identity-encryption-key-change-me',
      }),
    ).toThrow(/IDENTITY_ENCRYPTION_KEY=\[REDACTED\]: is a published development value/);
  });

  it('is required when not generated, and production generates none', () => {
    expect(() => loadIdentityConfig({ INTERNAL_TOKEN_SECRET: 'x'.repeat(40) })).toThrow(
      /IDENTITY_ENCRYPTION_KEY=\(unset\): is required \(generated once per data directory outside production: ATRIUM_DATA_DIR\/identity-encryption-key, mode 0600\)/,
    );
    const dir = freshDir();
    expect(() =>
      start({ NODE_ENV: 'production', ATRIUM_DATA_DIR: dir, INTERNAL_TOKEN_SECRET: 'x'.repeat(40) }),
    ).toThrow(/IDENTITY_ENCRYPTION_KEY=\(unset\): is required in production/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { generateApiKeySecret, isWellFormedApiKey } from '../src/crypto/api-key-format';
import { SecretBox } from '../src/crypto/encryption';
import { signingKeysProblem } from '../src/crypto/signing-keys';
import { base32Decode, base32Encode, matchTotp, totpCode } from '../src/crypto/totp';
import { normalizeRecoveryCode, generateRecoveryCode } from '../src/mfa/second-factor';

describe('TOTP (RFC 6238 appendix B, SHA-1, last 6 digits)', () => {
  const secret = base32Encode(Buffer.from('12345678901234567890'));
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ])('at %i s the code is %s', (seconds, code) => {
    expect(totpCode(secret, seconds * 1000)).toBe(code);
  });

  it('round-trips base32 and encodes the RFC seed as authenticator apps expect', () => {
    expect(secret).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode(secret).toString()).toBe('12345678901234567890');
  });

  it('accepts ±1 step, nothing further, and never a step at or before the last one used', () => {
    const now = 1_700_000_000_000;
    const at = (offsetSteps: number) => totpCode(secret, now + offsetSteps * 30_000);
    const step = Math.floor(now / 30_000);
    expect(matchTotp(secret, at(-1), { nowMs: now, lastUsedStep: null })).toBe(step - 1);
    expect(matchTotp(secret, at(1), { nowMs: now, lastUsedStep: null })).toBe(step + 1);
    expect(matchTotp(secret, at(2), { nowMs: now, lastUsedStep: null })).toBeNull();
    expect(matchTotp(secret, at(-2), { nowMs: now, lastUsedStep: null })).toBeNull();
    expect(matchTotp(secret, at(0), { nowMs: now, lastUsedStep: step })).toBeNull();
    expect(matchTotp(secret, at(1), { nowMs: now, lastUsedStep: step })).toBe(step + 1);
    expect(matchTotp(secret, '12345', { nowMs: now, lastUsedStep: null })).toBeNull();
  });
});

describe('API key secrets', () => {
  it('are atr_ + 32 random base62 + a 6-character CRC32 checksum that catches a changed character', () => {
    const keys = Array.from({ length: 50 }, generateApiKeySecret);
    expect(new Set(keys).size).toBe(50);
    for (const key of keys) {
      expect(key).toMatch(/^atr_[0-9A-Za-z]{38}$/);
      expect(isWellFormedApiKey(key)).toBe(true);
      const position = 4 + (key.charCodeAt(10) % 32);
      const changed = key.slice(0, position) + (key[position] === 'x' ? 'y' : 'x') + key.slice(position + 1);
      expect(isWellFormedApiKey(changed)).toBe(false);
    }
    expect(isWellFormedApiKey('atr_short')).toBe(false);
    expect(isWellFormedApiKey(`ghp_${keys[0]!.slice(4)}`)).toBe(false);
  });
});

describe('recovery codes', () => {
  it('are 12 base32 characters in three groups, read back regardless of case and dashes', () => {
    const code = generateRecoveryCode();
    expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    expect(normalizeRecoveryCode(` ${code.toLowerCase().replace(/-/g, ' ')} `)).toBe(code.replace(/-/g, ''));
  });
});

describe('SecretBox', () => {
  it('seals with AES-256-GCM: a fresh IV each time, tampering and other keys detected', () => {
    const box = new SecretBox('a-key-of-at-least-thirty-two-characters!');
    const a = box.seal('JBSWY3DPEHPK3PXP');
    expect(a).not.toBe(box.seal('JBSWY3DPEHPK3PXP'));
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(a)).toBe('JBSWY3DPEHPK3PXP');
    const tampered = a.slice(0, -2) + (a.endsWith('A') ? 'BB' : 'AA');
    expect(() => box.open(tampered)).toThrow();
    expect(() => new SecretBox('another-key-of-at-least-thirty-two-chars').open(a)).toThrow();
  });
});

describe('IDENTITY_SIGNING_KEYS format check', () => {
  it('accepts a private P-256 JWK set or PKCS#8 PEM, and says what is wrong otherwise', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = privateKey.export({ format: 'jwk' });
    expect(signingKeysProblem(JSON.stringify({ keys: [jwk] }))).toBeUndefined();
    expect(signingKeysProblem(JSON.stringify([jwk]))).toBeUndefined();
    expect(signingKeysProblem(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)).toBeUndefined();
    const { d: _d, ...publicOnly } = jwk;
    expect(signingKeysProblem(JSON.stringify({ keys: [publicOnly] }))).toBe(
      'key 0 is not a private EC P-256 JWK',
    );
    expect(signingKeysProblem('{"keys":[]}')).toBe('the JWK set is empty');
    expect(signingKeysProblem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toBe(
      'no PKCS#8 "PRIVATE KEY" PEM block',
    );
    expect(signingKeysProblem('secret')).toBe('neither PEM nor a JSON JWK set');
  });
});

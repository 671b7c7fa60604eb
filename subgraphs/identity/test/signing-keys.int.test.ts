import { stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { freshSqliteDatabase, Leftovers, EMBEDDED_MODE } from '@atrium/platform/testing';
import { loadIdentityConfig } from '../src/config';
import { generateSigningJwk, KEY_FILE_NAME } from '../src/crypto/signing-keys';
import { JWKS_PATH } from '../src/server';
import { signUp, startIdentity } from './harness';

// Keys do not depend on the database, so these run on the embedded mode only.
const embedded = EMBEDDED_MODE;

async function jwksOf(origin: string) {
  const response = await fetch(`${origin}${JWKS_PATH}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { keys: Array<Record<string, string>> };
}

const verifyWith = (jwks: { keys: any[] }, token: string) =>
  jwtVerify(token, createLocalJWKSet(jwks), {
    algorithms: ['ES256'],
    issuer: 'atrium-identity',
    audience: 'atrium-api',
    typ: 'at+jwt',
  });

describe('access-token signing keys', () => {
  const leftovers = new Leftovers();
  afterEach(() => leftovers.dispose());

  it('issues ES256 at+jwt tokens with iss, aud, sub, sid, roles, kid and a 15-minute life', async () => {
    const identity = await startIdentity(embedded, leftovers);
    const account = await signUp(identity);
    const header = decodeProtectedHeader(account.accessToken);
    const jwks = await jwksOf(identity.origin);
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: jwks.keys[0]!.kid });
    const { payload } = await verifyWith(jwks, account.accessToken);
    expect(payload).toMatchObject({
      iss: 'atrium-identity',
      aud: 'atrium-api',
      sub: account.id,
      roles: ['MEMBER'],
    });
    expect(typeof payload.sid).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(payload.nbf).toBe(payload.iat);
  });

  it('publishes only public keys at /.well-known/jwks.json, without any assertion', async () => {
    const identity = await startIdentity(embedded, leftovers);
    const jwks = await jwksOf(identity.origin);
    expect(jwks.keys).toHaveLength(1);
    expect(Object.keys(jwks.keys[0]!).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
  });

  it('embedded mode generates the key once, keeps it under ATRIUM_DATA_DIR (0600) and reuses it', async () => {
    const db = leftovers.add(await freshSqliteDatabase(), (it) => it.drop());
    const sameData = { ATRIUM_DATA_DIR: db.dataDir };
    const first = await startIdentity(embedded, leftovers, sameData);
    const token = (await signUp(first)).accessToken;
    const file = join(db.dataDir, KEY_FILE_NAME);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const kid = (await jwksOf(first.origin)).keys[0]!.kid;
    await first.stop();

    const second = await startIdentity(embedded, leftovers, sameData);
    expect((await jwksOf(second.origin)).keys[0]!.kid).toBe(kid);
    await expect(verifyWith(await jwksOf(second.origin), token)).resolves.toBeDefined();
    expect(JSON.parse(await readFile(file, 'utf8')).keys).toHaveLength(1);
  });

  it('rotates: the new key signs, the old one still verifies its tokens until it is removed', async () => {
    const oldKey = await generateSigningJwk();
    const newKey = await generateSigningJwk();
    const keys = (...list: object[]) => ({ IDENTITY_SIGNING_KEYS: JSON.stringify({ keys: list }) });

    const before = await startIdentity(embedded, leftovers, keys(oldKey));
    const oldToken = (await signUp(before)).accessToken;
    expect(decodeProtectedHeader(oldToken).kid).toBe(oldKey.kid);

    const during = await startIdentity(embedded, leftovers, keys(newKey, oldKey));
    const jwks = await jwksOf(during.origin);
    expect(jwks.keys.map((key) => key.kid)).toEqual([newKey.kid, oldKey.kid]);
    const newToken = (await signUp(during)).accessToken;
    expect(decodeProtectedHeader(newToken).kid).toBe(newKey.kid);
    await expect(verifyWith(jwks, oldToken)).resolves.toBeDefined();
    await expect(verifyWith(jwks, newToken)).resolves.toBeDefined();

    const after = await startIdentity(embedded, leftovers, keys(newKey));
    const finalJwks = await jwksOf(after.origin);
    await expect(verifyWith(finalJwks, oldToken)).rejects.toThrow();
    await expect(verifyWith(finalJwks, newToken)).resolves.toBeDefined();
  });

  it('accepts a PKCS#8 PEM key, whose kid is its JWK thumbprint', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const identity = await startIdentity(embedded, leftovers, {
      IDENTITY_SIGNING_KEYS: await exportPKCS8(privateKey),
    });
    const jwks = await jwksOf(identity.origin);
    expect(jwks.keys[0]!.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(verifyWith(jwks, (await signUp(identity)).accessToken)).resolves.toBeDefined();
  });

  it('refuses to start in production without configured signing keys or with the dev encryption key', () => {
    const production = {
      NODE_ENV: 'production',
      INTERNAL_TOKEN_SECRET: 'x'.repeat(40),
      IDENTITY_ENCRYPTION_KEY: 'y'.repeat(40),
    };
    expect(() => loadIdentityConfig(production)).toThrow(
      /IDENTITY_SIGNING_KEYS=\(unset\): is required in production/,
    );
    expect(() =>
      loadIdentityConfig({ ...production, IDENTITY_SIGNING_KEYS: '{"keys":[{"kty":"oct"}]}' }),
    ).toThrow(/IDENTITY_SIGNING_KEYS=\[REDACTED\]: is invalid: key 0 is not a private EC P-256 JWK/);
    const { IDENTITY_ENCRYPTION_KEY: _key, ...withoutKey } = production;
    expect(() => loadIdentityConfig({ ...withoutKey, IDENTITY_SIGNING_KEYS: '[]' })).toThrow(
      /IDENTITY_ENCRYPTION_KEY/,
    );
  });
});

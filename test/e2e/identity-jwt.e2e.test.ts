import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  UnsecuredJWT,
  type JWK,
  type KeyLike,
} from 'jose';
import { createJwtVerifier, type JwtVerifierOptions } from '@atrium/gateway/auth/jwt-verifier';
import { postGraphQL } from '@atrium/platform/testing';
import { generateSigningJwk } from '@atrium/subgraph-identity/crypto/signing-keys';
import { startStack, type Stack } from '../src/stack';

const ISSUER = 'atrium-identity';
const AUDIENCE = 'atrium-api';

/** An HTTP server that counts the requests it gets (a JWKS endpoint, or an attacker's key URL). */
async function countingServer(
  body: () => unknown,
): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('access tokens at the gateway (HARDENING: JWT)', () => {
  let stack: Stack;
  let signingJwk: JWK;
  let signingKey: KeyLike;
  let userId: string;
  let jwksFetches = 0;
  let evil: Awaited<ReturnType<typeof countingServer>>;

  beforeAll(async () => {
    signingJwk = await generateSigningJwk();
    signingKey = (await importJWK(signingJwk, 'ES256')) as KeyLike;
    evil = await countingServer(() => ({ keys: [] }));
    stack = await startStack({ env: { IDENTITY_SIGNING_KEYS: JSON.stringify({ keys: [signingJwk] }) } });
    stack.subgraphs.identity.server.httpServer.on('request', (req) => {
      if (req.url === '/.well-known/jwks.json') jwksFetches += 1;
    });
    const signUp = await postGraphQL<{ signUp: { user: { id: string } } }>(
      stack.gatewayUrl,
      'mutation { signUp(input: { email: "jwt@example.test", password: "a long enough password", displayName: "J" }) { user { id } } }',
    );
    userId = signUp.body.data!.signUp.user.id;
  });
  afterAll(async () => {
    await stack?.stop();
    await evil?.close();
  });

  /** A token as identity would sign it, with any part overridable. */
  function token(
    options: {
      header?: Record<string, unknown>;
      claims?: Record<string, unknown>;
      key?: KeyLike;
      expSeconds?: number;
    } = {},
  ) {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: userId,
      sid: 'session-1',
      roles: ['MEMBER'],
      iat: now,
      nbf: now,
      exp: now + (options.expSeconds ?? 900),
      ...options.claims,
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: signingJwk.kid, ...options.header } as never)
      .sign(options.key ?? signingKey);
  }

  const me = (jwt: string) =>
    postGraphQL<{ me: { id: string } | null }>(stack.gatewayUrl, '{ me { id } }', {
      headers: { authorization: `Bearer ${jwt}` },
    });

  async function expect401(jwt: string): Promise<string> {
    const response = await me(jwt);
    expect(response.status).toBe(401);
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    return response.body.errors![0]!.message;
  }

  it('accepts a token signed with the current key and acts as its subject', async () => {
    const response = await me(await token());
    expect(response.status).toBe(200);
    expect(response.body.data?.me).toEqual({ id: userId });
  });

  it('refuses alg "none"', async () => {
    const unsigned = new UnsecuredJWT({ sid: 's', roles: ['ADMIN'] })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(userId)
      .setIssuedAt()
      .setExpirationTime('10m')
      .encode();
    await expect401(unsigned);
    await expect401(`${unsigned.split('.').slice(0, 2).join('.')}.`);
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const { d: _private, ...publicJwk } = signingJwk;
    const publicKey = (await importJWK(publicJwk, 'ES256')) as KeyLike;
    for (const secret of [JSON.stringify(publicJwk), await exportSPKI(publicKey)]) {
      const hs = await new SignJWT({ sid: 's', roles: ['ADMIN'] })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: signingJwk.kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode(secret));
      await expect401(hs);
    }
  });

  it('refuses an expired token (saying so) and one whose nbf is in the future', async () => {
    expect(await expect401(await token({ expSeconds: -60 }))).toBe('Access token expired');
    await expect401(await token({ claims: { nbf: Math.floor(Date.now() / 1000) + 300 } }));
  });

  it('refuses a wrong issuer, audience or typ', async () => {
    await expect401(await token({ claims: { iss: 'someone-else' } }));
    await expect401(await token({ claims: { aud: 'another-api' } }));
    await expect401(await token({ header: { typ: 'JWT' } }));
    await expect401(await token({ header: { typ: undefined } }));
  });

  it('refuses a tampered payload and a signature by another key under the same kid', async () => {
    const [header, payload, signature] = (await token()).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const elevated = Buffer.from(JSON.stringify({ ...claims, roles: ['ADMIN'] })).toString('base64url');
    await expect401(`${header}.${elevated}.${signature}`);
    const { privateKey: attackerKey } = await generateKeyPair('ES256');
    await expect401(await token({ key: attackerKey as KeyLike }));
    await expect401(await token({ claims: { roles: ['ROOT'] } }));
  });

  it('refuses jku, x5u and embedded jwk headers without fetching anything they name', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const attackerJwk = await exportJWK(publicKey);
    const before = jwksFetches;
    await expect401(await token({ key: privateKey as KeyLike, header: { jku: evil.url } }));
    await expect401(await token({ key: privateKey as KeyLike, header: { x5u: evil.url } }));
    await expect401(await token({ key: privateKey as KeyLike, header: { jwk: attackerJwk } }));
    await expect401(await token({ header: { jku: evil.url } }));
    expect(evil.hits()).toBe(0);
    expect(jwksFetches - before).toBe(0);
  });

  it('refetches the JWKS at most once per cooldown however many unknown kids arrive', async () => {
    await me(await token());
    const before = jwksFetches;
    for (let i = 0; i < 20; i++) await expect401(await token({ header: { kid: `unknown-${i}` } }));
    expect(jwksFetches - before).toBeLessThanOrEqual(1);
  });
});

describe('the gateway verifier after a key rotation', () => {
  const publicOf = ({ d: _d, ...rest }: JWK) => rest;
  const verifierFor = (jwksUrl: string, options: Partial<JwtVerifierOptions>) =>
    createJwtVerifier({
      jwksUrl,
      issuer: ISSUER,
      audience: AUDIENCE,
      clockSkewSeconds: 5,
      cooldownMs: 50,
      maxAgeMs: 60_000,
      ...options,
    });
  /** An access token as identity signs it, with `exp` as a time span ('15m') or epoch seconds. */
  const sign = async (jwk: JWK, exp: string | number = '15m') =>
    new SignJWT({ sid: 's', roles: ['MEMBER'] })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: jwk.kid! })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('u1')
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(await importJWK(jwk, 'ES256'));

  it('picks up the new key on its first unknown kid, and keeps verifying the old key while published', async () => {
    const oldJwk = await generateSigningJwk();
    const newJwk = await generateSigningJwk();
    let published = [publicOf(oldJwk)];
    const jwks = await countingServer(() => ({ keys: published }));
    try {
      const verifier = verifierFor(jwks.url, {});
      const oldToken = await sign(oldJwk);
      await expect(verifier.verify(oldToken)).resolves.toMatchObject({ userId: 'u1', sessionId: 's' });
      expect(jwks.hits()).toBe(1);

      published = [publicOf(newJwk), publicOf(oldJwk)];
      await new Promise((resolve) => setTimeout(resolve, 60));
      await expect(verifier.verify(await sign(newJwk))).resolves.toMatchObject({ userId: 'u1' });
      await expect(verifier.verify(oldToken)).resolves.toMatchObject({ userId: 'u1' });
      expect(jwks.hits()).toBe(2);
    } finally {
      await jwks.close();
    }
  });

  it('remembers a verified token no longer than its exp, nor than cacheTtlMs once its key is dropped', async () => {
    const oldJwk = await generateSigningJwk();
    const newJwk = await generateSigningJwk();
    let published = [publicOf(oldJwk)];
    const jwks = await countingServer(() => ({ keys: published }));
    try {
      const verifier = verifierFor(jwks.url, {
        clockSkewSeconds: 0,
        cooldownMs: 10,
        maxAgeMs: 100,
        cacheTtlMs: 300,
      });
      // Remembers tokens far longer than they live: only their exp can end them in this one.
      const longMemory = verifierFor(jwks.url, { clockSkewSeconds: 0, cooldownMs: 10, cacheTtlMs: 60_000 });
      // At least a whole second ahead: `+ 1` left as little as a few ms to sign and verify, and a loaded CI run
      // took longer (ERR_JWT_EXPIRED on the first verify).
      const exp = Math.floor(Date.now() / 1000) + 2;
      const shortLived = await sign(oldJwk, exp);
      const longLived = await sign(oldJwk, '15m');
      await expect(verifier.verify(shortLived)).resolves.toMatchObject({ userId: 'u1' });
      await expect(longMemory.verify(shortLived)).resolves.toMatchObject({ userId: 'u1' });
      await expect(verifier.verify(longLived)).resolves.toMatchObject({ userId: 'u1' });
      // A compromised key is dropped from the JWKS: tokens it signed stop working within cacheTtlMs.
      published = [publicOf(newJwk)];
      await new Promise((resolve) => setTimeout(resolve, Math.max(350, exp * 1000 - Date.now() + 50)));
      await expect(verifier.verify(shortLived)).rejects.toThrow(/invalid access token/);
      await expect(longMemory.verify(shortLived)).rejects.toThrow(/invalid access token/);
      await expect(verifier.verify(longLived)).rejects.toThrow(/invalid access token/);
    } finally {
      await jwks.close();
    }
  });
});

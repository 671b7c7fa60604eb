// identity's key set unreachable (issue 10, family 2): the gateway keeps verifying access tokens with the last
// good key set, fetches one at a time with backoff instead of once per request, shows the outage in its health
// report, and still refuses a token signed by a key it has never seen.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importJWK, SignJWT, type JWK, type KeyLike } from 'jose';
import { postGraphQL } from '@atrium/platform/testing';
import { generateSigningJwk } from '@atrium/subgraph-identity/crypto/signing-keys';
import { startStack, type Stack } from '../src/stack';

/** Stands between the gateway and identity's JWKS: passes it through, or answers 503; counts every request. */
async function jwksSwitch() {
  let target = '';
  let up = true;
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    if (!up) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    fetch(target).then(
      async (answer) =>
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text()),
      () => res.writeHead(502).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    setTarget: (url: string) => void (target = url),
    setUp: (value: boolean) => void (up = value),
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('identity JWKS outage at the gateway', () => {
  let stack: Stack;
  let jwks: Awaited<ReturnType<typeof jwksSwitch>>;
  let signingJwk: JWK;
  let signingKey: KeyLike;
  let userId: string;
  let serial = 0;

  beforeAll(async () => {
    signingJwk = await generateSigningJwk();
    signingKey = (await importJWK(signingJwk, 'ES256')) as KeyLike;
    jwks = await jwksSwitch();
    stack = await startStack({
      env: {
        IDENTITY_SIGNING_KEYS: JSON.stringify({ keys: [signingJwk] }),
        IDENTITY_JWKS_URL: jwks.url,
        AUTH_JWKS_MAX_AGE_SECONDS: '10',
      },
    });
    jwks.setTarget(`${new URL(stack.subgraphs.identity.url).origin}/.well-known/jwks.json`);
    const signUp = await postGraphQL<any>(
      stack.gatewayUrl,
      'mutation { signUp(input: { email: "jwks@example.test", password: "a long enough password", displayName: "J" }) { user { id } } }',
    );
    userId = signUp.body.data.signUp.user.id;
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await jwks?.close();
  });

  /** A fresh, valid access token (a distinct jti each time, so no cache can answer for it). */
  function token(options: { kid?: string; key?: KeyLike } = {}) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub: userId, sid: 'session-1', roles: ['MEMBER'], jti: `t${++serial}` })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: options.kid ?? signingJwk.kid! })
      .setIssuer('atrium-identity')
      .setAudience('atrium-api')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(options.key ?? signingKey);
  }
  const me = async (jwt: string) =>
    postGraphQL<any>(stack.gatewayUrl, '{ me { id } }', { headers: { authorization: `Bearer ${jwt}` } });

  it('verifies fresh tokens with the last good key set beyond its max age, one fetch at a time', async () => {
    const first = await me(await token());
    expect(first.body.data?.me).toEqual({ id: userId });

    jwks.setUp(false);
    // Past AUTH_JWKS_MAX_AGE_SECONDS: the held set is due for a refresh that cannot succeed.
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    const tokens = await Promise.all(Array.from({ length: 30 }, () => token()));
    const hitsBefore = jwks.hits();
    const started = Date.now();
    const answers = await Promise.all(tokens.map((jwt) => me(jwt)));
    const elapsedSeconds = (Date.now() - started) / 1000;
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(answers.map((a) => a.body.data?.me?.id)).toEqual(answers.map(() => userId));
    // One refresh attempt at a time, the next only after a backoff that starts at 1 s and doubles: attempts at
    // 0, 1, 3, 7… s. On a quiet machine the burst is over before the first backoff ends (exactly 1 fetch); a
    // loaded one may see the next attempt or two, never one per request.
    const hits = jwks.hits() - hitsBefore;
    expect(hits).toBeGreaterThanOrEqual(1);
    expect(hits).toBeLessThanOrEqual(1 + Math.floor(Math.log2(1 + elapsedSeconds)));

    const status = (await (await fetch(`${new URL(stack.gatewayUrl).origin}/readyz`)).json()) as any;
    expect(status.status).toBe('UP');
    expect(status.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'identity-jwks',
          status: 'UP',
          message: expect.stringContaining('identity JWKS unreachable since'),
        }),
      ]),
    );
  }, 60_000);

  it('still refuses a token signed by a key the gateway has never seen, without asking identity each time', async () => {
    const stranger = await generateSigningJwk();
    const strangerKey = (await importJWK(stranger, 'ES256')) as KeyLike;
    const hitsBefore = jwks.hits();
    for (let i = 0; i < 5; i++) {
      const response = await me(await token({ kid: stranger.kid!, key: strangerKey }));
      expect(response.status).toBe(401);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(jwks.hits() - hitsBefore).toBeLessThanOrEqual(1);
  });

  it('recovers once identity answers again', async () => {
    jwks.setUp(true);
    // The backoff after the failed attempt is at most a few seconds; a request after it refreshes the set.
    let note: string | undefined = 'pending';
    while (note !== undefined) {
      await me(await token());
      const status = (await (await fetch(`${new URL(stack.gatewayUrl).origin}/readyz`)).json()) as any;
      note = status.checks.find((c: { name: string }) => c.name === 'identity-jwks')?.message;
      if (note !== undefined) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect((await me(await token())).body.data?.me).toEqual({ id: userId });
  }, 30_000);
});

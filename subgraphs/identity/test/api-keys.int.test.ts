import {
  ANONYMOUS,
  INTERNAL_ASSERTION_HEADER,
  signInternalAssertion,
  type Principal,
} from '@atrium/platform/auth';
import { Leftovers } from '@atrium/platform/testing';
import { ApiKey } from '../src/api-key/api-key.entity';
import { API_KEY_VERIFY_PATH } from '../src/api-key/verify-route';
import { isWellFormedApiKey } from '../src/crypto/api-key-format';
import { User } from '../src/user/user.entity';
import { codeOf, MODES, SECRET, signUp, startIdentity, type Account, type Identity } from './harness';

const CREATE = `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) {
  secret apiKey { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt } } }`;

for (const mode of MODES) {
  mode.describe(`identity API keys on ${mode.name}`, () => {
    const leftovers = new Leftovers();
    let identity: Identity;
    beforeAll(async () => {
      identity = await startIdentity(mode, leftovers);
    });
    afterAll(() => leftovers.dispose());

    const create = (account: Account, input: Record<string, unknown>) =>
      identity.call<{ createApiKey: { secret: string; apiKey: any } }>(CREATE, {
        token: account.accessToken,
        variables: { i: input },
      });

    /** The gateway's call: POST with an assertion for this subgraph. */
    async function verify(key: unknown, assertion?: string): Promise<{ status: number; body: any }> {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      headers[INTERNAL_ASSERTION_HEADER] = assertion ?? (await identity.assertion(ANONYMOUS));
      const response = await fetch(`${identity.origin}${API_KEY_VERIFY_PATH}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ key }),
      });
      return { status: response.status, body: await response.json() };
    }

    it('creates a key shown once, prefixed and checksummed, stored only as a hash', async () => {
      const account = await signUp(identity);
      const created = await create(account, {
        name: ' CI pipeline ',
        scopes: ['generation:read', 'generation:write'],
      });
      expect(created.body.errors).toBeUndefined();
      const { secret, apiKey } = created.body.data!.createApiKey;
      expect(secret).toMatch(/^atr_[0-9A-Za-z]{38}$/);
      expect(isWellFormedApiKey(secret)).toBe(true);
      expect(isWellFormedApiKey(`${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}`)).toBe(false);
      expect(apiKey).toMatchObject({
        name: 'CI pipeline',
        prefix: secret.slice(0, 12),
        scopes: ['generation:read', 'generation:write'],
        lastUsedAt: null,
        revokedAt: null,
      });
      const row = await identity.server.app.fork().findOneOrFail(ApiKey, apiKey.id);
      expect(JSON.stringify(row)).not.toContain(secret);
      expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);

      const listed = await identity.call<{ apiKeys: any[] }>('{ apiKeys { id prefix scopes } }', {
        token: account.accessToken,
      });
      expect(listed.body.data?.apiKeys).toEqual([
        { id: apiKey.id, prefix: apiKey.prefix, scopes: apiKey.scopes },
      ]);
    });

    it('never grants a scope wider than the owner’s roles, and validates the input', async () => {
      const viewer = await signUp(identity);
      await identity.server.app.fork().nativeUpdate(User, { id: viewer.id }, { rolesText: 'VIEWER' });
      const tooWide = await create(viewer, { name: 'x', scopes: ['generation:read', 'generation:write'] });
      expect(codeOf(tooWide)).toBe('FORBIDDEN');
      expect(tooWide.body.errors?.[0]?.extensions?.scopes).toEqual(['generation:write']);
      const member = await signUp(identity);
      expect(codeOf(await create(member, { name: 'x', scopes: ['users:write'] }))).toBe('FORBIDDEN');
      const bad = await create(member, { name: '', scopes: ['nope'], expiresAt: '2000-01-01T00:00:00Z' });
      expect(codeOf(bad)).toBe('BAD_USER_INPUT');
      expect((bad.body.errors![0]!.extensions!.fields as any[]).map((f) => f.field)).toEqual([
        'name',
        'scopes',
        'expiresAt',
      ]);
      expect(codeOf(await create(member, { name: 'x', scopes: [] }))).toBe('BAD_USER_INPUT');
    });

    it('the verification route turns a key into its principal for the gateway, and nothing else', async () => {
      const account = await signUp(identity);
      const { secret, apiKey } = (
        await create(account, { name: 'k', scopes: ['profile:read', 'generation:write'] })
      ).body.data!.createApiKey;
      const ok = await verify(secret);
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({
        principal: {
          kind: 'apiKey',
          userId: account.id,
          roles: ['MEMBER'],
          scopes: ['profile:read', 'generation:write'],
          sessionId: null,
          apiKeyId: apiKey.id,
        },
        expiresAt: null,
      });
      const listed = await identity.call<{ apiKeys: any[] }>('{ apiKeys { lastUsedAt } }', {
        token: account.accessToken,
      });
      expect(listed.body.data?.apiKeys[0].lastUsedAt).not.toBeNull();

      // The key acts as its owner, within its scopes.
      const me = await identity.call('{ me { id email } }', { principal: ok.body.principal as Principal });
      expect(me.body.data).toEqual({ me: { id: account.id, email: account.email } });

      expect((await verify('atr_notARealKeyAtAll')).status).toBe(401);
      expect((await verify(secret.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')))).status).toBe(401);
      expect((await verify(42)).status).toBe(401);
      const forged = await signInternalAssertion(ANONYMOUS, {
        secret: 'not-the-secret-not-the-secret-0000',
        audience: 'identity',
      });
      expect((await verify(secret, forged)).status).toBe(401);
      const otherAudience = await signInternalAssertion(ANONYMOUS, {
        secret: SECRET,
        audience: 'generation',
      });
      expect((await verify(secret, otherAudience)).status).toBe(401);
      const bare = await fetch(`${identity.origin}${API_KEY_VERIFY_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: secret }),
      });
      expect(bare.status).toBe(401);
    });

    it('refuses revoked and expired keys and keys of disabled owners; narrows scopes after a demotion', async () => {
      const account = await signUp(identity);
      const make = async () =>
        (await create(account, { name: 'k', scopes: ['profile:read', 'generation:write'] })).body.data!
          .createApiKey;
      const revoked = await make();
      const revoke = await identity.call<{ revokeApiKey: any }>(
        'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }',
        {
          token: account.accessToken,
          variables: { id: revoked.apiKey.id },
        },
      );
      expect(revoke.body.data?.revokeApiKey.revokedAt).not.toBeNull();
      expect((await verify(revoked.secret)).status).toBe(401);

      const expiring = await make();
      await identity.server.app
        .fork()
        .nativeUpdate(ApiKey, { id: expiring.apiKey.id }, { expiresAt: new Date(Date.now() - 1000) });
      expect((await verify(expiring.secret)).status).toBe(401);

      const live = await make();
      await identity.server.app.fork().nativeUpdate(User, { id: account.id }, { rolesText: 'VIEWER' });
      expect((await verify(live.secret)).body.principal).toMatchObject({
        roles: ['VIEWER'],
        scopes: ['profile:read'],
      });
      await identity.server.app.fork().nativeUpdate(User, { id: account.id }, { disabled: true });
      expect((await verify(live.secret)).status).toBe(401);
    });

    it('an API key cannot mint keys, and cannot call an admin mutation without its scope', async () => {
      const account = await signUp(identity);
      const asKey: Principal = {
        ...ANONYMOUS,
        kind: 'apiKey',
        userId: account.id,
        roles: ['ADMIN'],
        scopes: ['users:read'],
        apiKeyId: 'k',
      };
      expect(
        codeOf(
          await identity.call(CREATE, {
            principal: asKey,
            variables: { i: { name: 'x', scopes: ['profile:read'] } },
          }),
        ),
      ).toBe('FORBIDDEN');
      const setRoles = await identity.call(
        `mutation { setUserRoles(userId: "${account.id}", roles: [ADMIN]) { id } }`,
        {
          principal: asKey,
        },
      );
      expect(codeOf(setRoles)).toBe('FORBIDDEN');
      expect(codeOf(await identity.call('{ me { id } }', { principal: asKey }))).toBe('FORBIDDEN');
      expect((await identity.call('{ users { totalCount } }', { principal: asKey })).body.data).toBeTruthy();
    });

    it("revokeApiKey answers NOT_FOUND for another user's key", async () => {
      const owner = await signUp(identity);
      const stranger = await signUp(identity);
      const { apiKey } = (await create(owner, { name: 'k', scopes: ['profile:read'] })).body.data!
        .createApiKey;
      const response = await identity.call(`mutation { revokeApiKey(id: "${apiKey.id}") { id } }`, {
        token: stranger.accessToken,
      });
      expect(codeOf(response)).toBe('NOT_FOUND');
    });
  });
}

import { Leftovers } from '@atrium/platform/testing';
import { ApiKey } from '../src/api-key/api-key.entity';
import { codeOf, MODES, signUp, startIdentity, type Account, type Identity } from './harness';

const CREATE = 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }';
const REVOKE = 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }';
const LIST = 'query($first: Int, $after: ID) { apiKeys(first: $first, after: $after) { id revokedAt } }';

for (const mode of MODES) {
  mode.describe(`identity API keys are bounded per user on ${mode.name}`, () => {
    const leftovers = new Leftovers();
    let identity: Identity;
    beforeAll(async () => {
      identity = await startIdentity(mode, leftovers);
    });
    afterAll(() => leftovers.dispose());

    const create = (account: Account) =>
      identity.call<{ createApiKey: { apiKey: { id: string } } }>(CREATE, {
        token: account.accessToken,
        variables: { i: { name: 'k', scopes: ['profile:read'] } },
      });
    const revoke = (account: Account, id: string) =>
      identity.call(REVOKE, { token: account.accessToken, variables: { id } });
    const list = (account: Account, variables: Record<string, unknown> = {}) =>
      identity.call<{ apiKeys: Array<{ id: string; revokedAt: string | null }> }>(LIST, {
        token: account.accessToken,
        variables,
      });
    const rows = (account: Account) => identity.server.app.fork().count(ApiKey, { userId: account.id });

    it('allows 25 working keys; revoking one or its expiry frees its slot', async () => {
      const account = await signUp(identity);
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) ids.push((await create(account)).body.data!.createApiKey.apiKey.id);
      const refused = await create(account);
      expect(codeOf(refused)).toBe('CONFLICT');
      expect(refused.body.errors?.[0]?.message).toMatch(/^At most 25 active API keys per user/);

      await revoke(account, ids[0]!);
      expect((await create(account)).body.errors).toBeUndefined();
      expect(codeOf(await create(account))).toBe('CONFLICT');

      await identity.server.app
        .fork()
        .nativeUpdate(ApiKey, { id: ids[1]! }, { expiresAt: new Date(Date.now() - 1000) });
      expect((await create(account)).body.errors).toBeUndefined();
      expect(codeOf(await create(account))).toBe('CONFLICT');
    }, 120_000);

    it('lets exactly 25 of 40 simultaneous creates through two replicas; the others get CONFLICT', async () => {
      // A second server on the same database (and signing keys): two connection pools, like two replicas.
      const replica = await startIdentity(mode, leftovers, identity.env);
      const account = await signUp(identity);
      const createOn = (server: Identity) =>
        server.call<{ createApiKey: { apiKey: { id: string } } }>(CREATE, {
          token: account.accessToken,
          variables: { i: { name: 'k', scopes: ['profile:read'] } },
        });
      // All sent before any is answered. The service counts and inserts under the user's row lock (on SQLite the
      // database write lock), so the creates take turns; without it several count the same keys and the user
      // ends with more than 25.
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => createOn(i % 2 === 0 ? identity : replica)),
      );
      const created = answers.filter((answer) => answer.body.data?.createApiKey);
      const refused = answers.filter((answer) => !answer.body.data?.createApiKey);
      expect(refused.map(codeOf)).toEqual(Array(15).fill('CONFLICT'));
      expect(created).toHaveLength(25);
      expect(await rows(account)).toBe(25);
    }, 120_000);

    it('keeps the newest 50 revoked keys however often a user creates and revokes, and pages through them', async () => {
      const account = await signUp(identity);
      const made: string[] = [];
      for (let i = 0; i < 60; i++) {
        const id = (await create(account)).body.data!.createApiKey.apiKey.id;
        expect((await revoke(account, id)).body.errors).toBeUndefined();
        made.push(id);
      }
      expect(await rows(account)).toBe(50);

      const whole = await list(account);
      expect(whole.body.data!.apiKeys.map((key) => key.id)).toEqual(made.slice(10).reverse());

      // Pages of 20 follow each other by the last id, without a gap or a repeat, and end with an empty page.
      const paged: string[] = [];
      let after: string | null = null;
      const sizes: number[] = [];
      for (;;) {
        const page: Array<{ id: string }> = (await list(account, { first: 20, after })).body.data!.apiKeys;
        sizes.push(page.length);
        if (page.length === 0) break;
        paged.push(...page.map((key) => key.id));
        after = page.at(-1)!.id;
      }
      expect(sizes).toEqual([20, 20, 10, 0]);
      expect(paged).toEqual(made.slice(10).reverse());
    }, 180_000);

    it('takes any page size (clamped to 100), and refuses a negative size or a key that is not yours as `after`', async () => {
      const account = await signUp(identity);
      const other = await signUp(identity);
      const mine = (await create(account)).body.data!.createApiKey.apiKey.id;
      const theirs = (await create(other)).body.data!.createApiKey.apiKey.id;

      expect((await list(account, { first: 1_000_000 })).body.data!.apiKeys.map((key) => key.id)).toEqual([
        mine,
      ]);
      expect(codeOf(await list(account, { first: -1 }))).toBe('BAD_USER_INPUT');
      const foreign = await list(account, { after: theirs });
      expect(codeOf(foreign)).toBe('BAD_USER_INPUT');
      expect(foreign.body.errors?.[0]?.extensions?.fields).toEqual([
        { field: 'after', message: 'is not the id of one of your API keys' },
      ]);
    });
  });
}

import { hash, parseOptions } from '@node-rs/argon2';
import { Leftovers } from '@atrium/platform/testing';
import { User } from '../src/user/user.entity';
import {
  AUTH_FIELDS,
  codeOf,
  MODES,
  PASSWORD,
  signUp,
  startIdentity,
  uniqueEmail,
  type Identity,
} from './harness';

const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  __typename ... on AuthPayload { ${AUTH_FIELDS} } ... on MfaChallenge { challengeToken expiresAt } } }`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { ${AUTH_FIELDS} } }`;
const ADMIN_EMAIL = 'Root.Admin@Example.TEST';

for (const mode of MODES) {
  mode.describe(`identity accounts on ${mode.name}`, () => {
    const leftovers = new Leftovers();
    let identity: Identity;
    beforeAll(async () => {
      identity = await startIdentity(mode, leftovers, { ATRIUM_ADMIN_EMAILS: 'root.admin@example.test' });
    });
    afterAll(() => leftovers.dispose());

    const signIn = (email: string, password: string, ip = '192.0.2.10') =>
      identity.call<{ signIn: any }>(SIGN_IN, { variables: { input: { email, password } }, ip });

    describe('signUp', () => {
      it('creates a MEMBER with a normalised email and signs them in', async () => {
        const email = uniqueEmail('Mixed.Case');
        const response = await identity.call<{ signUp: any }>(SIGN_UP, {
          variables: {
            input: { email: `  ${email.toUpperCase()} `, password: PASSWORD, displayName: ' Ada  Lovelace ' },
          },
        });
        expect(response.body.errors).toBeUndefined();
        const payload = response.body.data!.signUp;
        expect(payload.user).toMatchObject({
          email: email.toLowerCase(),
          displayName: 'Ada Lovelace',
          roles: ['MEMBER'],
          mfaEnabled: false,
        });
        expect(payload.accessToken.split('.')).toHaveLength(3);
        expect(payload.refreshToken.length).toBeGreaterThanOrEqual(43);
        expect(Date.parse(payload.accessTokenExpiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
        expect((await identity.principalOf(payload.accessToken)).userId).toBe(payload.user.id);
      });

      it('makes an address listed in ATRIUM_ADMIN_EMAILS an ADMIN, and nobody else', async () => {
        const admin = await signUp(identity, { email: ADMIN_EMAIL });
        expect(admin.roles).toEqual(['ADMIN']);
        expect((await signUp(identity)).roles).toEqual(['MEMBER']);
      });

      it('lists every problem of an invalid input in one BAD_USER_INPUT', async () => {
        const response = await identity.call(SIGN_UP, {
          variables: { input: { email: 'not-an-email', password: 'short', displayName: '   ' } },
        });
        expect(codeOf(response)).toBe('BAD_USER_INPUT');
        const fields = (response.body.errors![0]!.extensions!.fields as Array<{ field: string }>).map(
          (f) => f.field,
        );
        expect(fields).toEqual(['email', 'password', 'displayName']);
      });

      it('refuses passwords over 256 characters and display names with control characters', async () => {
        const tooLong = await identity.call(SIGN_UP, {
          variables: { input: { email: uniqueEmail(), password: 'x'.repeat(257), displayName: 'A' } },
        });
        expect(tooLong.body.errors?.[0]?.message).toMatch(/password must be at most 256/);
        const control = await identity.call(SIGN_UP, {
          variables: { input: { email: uniqueEmail(), password: PASSWORD, displayName: 'evil\u202Ename' } },
        });
        // The central input check (platform) refuses it before identity does, naming the field.
        expect(control.body.errors?.[0]?.message).toMatch(
          /signUp\(input\).displayName: it contains a bidirectional control/,
        );
      });

      it('refuses a second account for the same address (CONFLICT)', async () => {
        const email = uniqueEmail();
        await signUp(identity, { email });
        const again = await identity.call(SIGN_UP, {
          variables: { input: { email: email.toUpperCase(), password: PASSWORD, displayName: 'Twin' } },
        });
        expect(codeOf(again)).toBe('CONFLICT');
      });

      it('stores an Argon2id PHC hash with m >= 19 MiB, t >= 2, p = 1', async () => {
        const account = await signUp(identity);
        const user = await identity.server.app.fork().findOneOrFail(User, account.id);
        expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      });
    });

    describe('signIn', () => {
      it('signs in with the right password and records lastSignInAt', async () => {
        const account = await signUp(identity);
        const response = await signIn(account.email.toUpperCase(), PASSWORD);
        expect(response.body.data?.signIn).toMatchObject({
          __typename: 'AuthPayload',
          user: { id: account.id },
        });
        const me = await identity.call('{ me { id email lastSignInAt } }', {
          token: response.body.data!.signIn.accessToken,
        });
        expect(me.body.data?.me).toMatchObject({ id: account.id, email: account.email });
        expect(me.body.data?.me.lastSignInAt).not.toBeNull();
      });

      it('answers a wrong password and an unknown email with the same error', async () => {
        const account = await signUp(identity);
        const wrong = await signIn(account.email, 'wrong password, long enough');
        const unknown = await signIn(uniqueEmail('nobody'), 'wrong password, long enough');
        expect(wrong.body.data).toBeNull();
        expect(unknown.body.data).toBeNull();
        const strip = (r: typeof wrong) => ({ ...r.body.errors![0], extensions: { code: codeOf(r) } });
        expect(strip(wrong)).toEqual(strip(unknown));
        expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
      });

      it('re-hashes a password stored with other Argon2 parameters at the next sign-in', async () => {
        const account = await signUp(identity);
        const em = identity.server.app.fork();
        const legacy = await hash(PASSWORD, { memoryCost: 19_456, timeCost: 3, parallelism: 1 });
        await em.nativeUpdate(User, { id: account.id }, { passwordHash: legacy });
        expect((await signIn(account.email, PASSWORD)).body.data?.signIn.__typename).toBe('AuthPayload');
        const stored = (await identity.server.app.fork().findOneOrFail(User, account.id)).passwordHash;
        expect(stored).not.toBe(legacy);
        expect(parseOptions(stored)).toMatchObject({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
        expect((await signIn(account.email, PASSWORD)).body.data?.signIn.__typename).toBe('AuthPayload');
      });
    });

    describe('me, user and users', () => {
      let admin: Awaited<ReturnType<typeof signUp>>;
      let member: Awaited<ReturnType<typeof signUp>>;
      let other: Awaited<ReturnType<typeof signUp>>;
      beforeAll(async () => {
        admin = await signUp(identity, { email: uniqueEmail('admin') });
        await identity.server.app.fork().nativeUpdate(User, { id: admin.id }, { rolesText: 'ADMIN' });
        const signedIn = await signIn(admin.email, PASSWORD);
        admin = { ...admin, accessToken: signedIn.body.data!.signIn.accessToken };
        member = await signUp(identity, { displayName: 'Searchable Person' });
        other = await signUp(identity);
      });

      it('refuses me to an anonymous caller with UNAUTHENTICATED', async () => {
        const response = await identity.call('{ me { id } }');
        expect(codeOf(response)).toBe('UNAUTHENTICATED');
      });

      it('user(id) shows the caller themself, refuses anyone else, and shows anyone to an ADMIN', async () => {
        const self = await identity.call(`{ user(id: "${member.id}") { id email } }`, {
          token: member.accessToken,
        });
        expect(self.body.data?.user).toEqual({ id: member.id, email: member.email });
        const foreign = await identity.call(`{ user(id: "${other.id}") { id } }`, {
          token: member.accessToken,
        });
        expect(foreign.body.data?.user).toBeNull();
        expect(codeOf(foreign)).toBe('FORBIDDEN');
        const missing = await identity.call('{ user(id: "no-such-user") { id } }', {
          token: member.accessToken,
        });
        expect(codeOf(missing)).toBe('FORBIDDEN');
        const asAdmin = await identity.call(`{ user(id: "${other.id}") { id email } }`, {
          token: admin.accessToken,
        });
        expect(asAdmin.body.data?.user).toEqual({ id: other.id, email: other.email });
      });

      it('_entities follows the same rules: own user, FORBIDDEN for another, anything for an ADMIN', async () => {
        const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }`;
        const variables = {
          r: [
            { __typename: 'User', id: member.id },
            { __typename: 'User', id: other.id },
          ],
        };
        const asMember = await identity.call(query, { token: member.accessToken, variables });
        expect(asMember.body.data?._entities).toEqual([{ id: member.id, email: member.email }, null]);
        expect(asMember.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
        const asAdmin = await identity.call(query, { token: admin.accessToken, variables });
        expect(asAdmin.body.data?._entities).toEqual([
          { id: member.id, email: member.email },
          { id: other.id, email: other.email },
        ]);
      });

      it('users is ADMIN-only, searches, pages with cursors and clamps first to 100', async () => {
        expect(codeOf(await identity.call('{ users { totalCount } }', { token: member.accessToken }))).toBe(
          'FORBIDDEN',
        );
        const found = await identity.call<{ users: any }>(
          '{ users(search: "searchable") { totalCount edges { node { id displayName } } } }',
          { token: admin.accessToken },
        );
        expect(found.body.data?.users.edges.map((e: any) => e.node.id)).toContain(member.id);
        expect(found.body.data?.users.totalCount).toBeGreaterThanOrEqual(1);

        const em = identity.server.app.fork();
        for (let i = 0; i < 105; i++)
          em.create(User, {
            email: `bulk-${i}-${uniqueEmail()}`,
            displayName: 'Bulk',
            passwordHash: '',
            rolesText: 'VIEWER',
          });
        await em.flush();
        const page = await identity.call<{ users: any }>(
          '{ users(first: 1000000) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
          { token: admin.accessToken },
        );
        const users = page.body.data!.users;
        expect(users.edges).toHaveLength(100);
        expect(users.pageInfo.hasNextPage).toBe(true);
        const next = await identity.call<{ users: any }>(
          `{ users(first: 100, after: "${users.pageInfo.endCursor}") { edges { node { id } } pageInfo { hasNextPage } } }`,
          { token: admin.accessToken },
        );
        const ids = [...users.edges, ...next.body.data!.users.edges].map((e: any) => e.node.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toHaveLength(users.totalCount);
        expect(
          codeOf(
            await identity.call('{ users(after: "forged") { totalCount } }', { token: admin.accessToken }),
          ),
        ).toBe('BAD_USER_INPUT');
      });
    });

    describe('roles, disabling and passwords', () => {
      const SET_ROLES =
        'mutation($u: ID!, $r: [Role!]!) { setUserRoles(userId: $u, roles: $r) { id roles } }';
      const SET_DISABLED =
        'mutation($u: ID!, $d: Boolean!) { setUserDisabled(userId: $u, disabled: $d) { id disabled } }';
      let solo: Identity;
      beforeAll(async () => {
        solo = await startIdentity(mode, leftovers);
      });

      it('keeps the last ADMIN: neither demoted nor disabled until another ADMIN exists', async () => {
        const first = await signUp(solo);
        await solo.server.app.fork().nativeUpdate(User, { id: first.id }, { rolesText: 'ADMIN' });
        const token = (await solo.principalOf(first.accessToken)) && {
          ...(await solo.principalOf(first.accessToken)),
          roles: ['ADMIN' as const],
        };
        const demote = await solo.call(SET_ROLES, {
          principal: token,
          variables: { u: first.id, r: ['MEMBER'] },
        });
        expect(codeOf(demote)).toBe('CONFLICT');
        const disable = await solo.call(SET_DISABLED, {
          principal: token,
          variables: { u: first.id, d: true },
        });
        expect(codeOf(disable)).toBe('CONFLICT');

        const second = await signUp(solo);
        const promote = await solo.call<{ setUserRoles: any }>(SET_ROLES, {
          principal: token,
          variables: { u: second.id, r: ['ADMIN', 'MEMBER', 'ADMIN'] },
        });
        expect(promote.body.data?.setUserRoles).toEqual({ id: second.id, roles: ['ADMIN', 'MEMBER'] });
        const nowDemote = await solo.call<{ setUserRoles: any }>(SET_ROLES, {
          principal: token,
          variables: { u: first.id, r: ['VIEWER'] },
        });
        expect(nowDemote.body.data?.setUserRoles.roles).toEqual(['VIEWER']);
      });

      it('setUserRoles and setUserDisabled are refused to non-ADMINs and validate their input', async () => {
        const member = await signUp(identity);
        const victim = await signUp(identity);
        expect(
          codeOf(
            await identity.call(SET_ROLES, {
              token: member.accessToken,
              variables: { u: member.id, r: ['ADMIN'] },
            }),
          ),
        ).toBe('FORBIDDEN');
        expect(
          codeOf(
            await identity.call(SET_DISABLED, {
              token: member.accessToken,
              variables: { u: victim.id, d: true },
            }),
          ),
        ).toBe('FORBIDDEN');
        const admin = {
          kind: 'user' as const,
          userId: 'some-admin',
          roles: ['ADMIN' as const],
          scopes: [],
          sessionId: null,
          apiKeyId: null,
        };
        expect(
          codeOf(await identity.call(SET_ROLES, { principal: admin, variables: { u: victim.id, r: [] } })),
        ).toBe('BAD_USER_INPUT');
        expect(
          codeOf(
            await identity.call(SET_ROLES, { principal: admin, variables: { u: 'missing', r: ['VIEWER'] } }),
          ),
        ).toBe('NOT_FOUND');
      });

      it('disabling a user kills their refresh tokens at once and refuses their sign-in', async () => {
        const admin = {
          kind: 'user' as const,
          userId: 'some-admin',
          roles: ['ADMIN' as const],
          scopes: [],
          sessionId: null,
          apiKeyId: null,
        };
        const user = await signUp(identity);
        const disabled = await identity.call<{ setUserDisabled: any }>(SET_DISABLED, {
          principal: admin,
          variables: { u: user.id, d: true },
        });
        expect(disabled.body.data?.setUserDisabled).toEqual({ id: user.id, disabled: true });
        const refresh = await identity.call(
          `mutation { refreshSession(refreshToken: "${user.refreshToken}") { accessToken } }`,
        );
        expect(codeOf(refresh)).toBe('UNAUTHENTICATED');
        expect(codeOf(await signIn(user.email, PASSWORD))).toBe('FORBIDDEN');
        await identity.call(SET_DISABLED, { principal: admin, variables: { u: user.id, d: false } });
        expect((await signIn(user.email, PASSWORD)).body.data?.signIn.__typename).toBe('AuthPayload');
      });

      it('changePassword checks the current password, then revokes every session', async () => {
        const user = await signUp(identity);
        const CHANGE =
          'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';
        const wrong = await identity.call(CHANGE, {
          token: user.accessToken,
          variables: { c: 'not my password!!', n: 'a brand new password' },
        });
        expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
        const weak = await identity.call(CHANGE, {
          token: user.accessToken,
          variables: { c: PASSWORD, n: 'short' },
        });
        expect(codeOf(weak)).toBe('BAD_USER_INPUT');
        const changed = await identity.call(CHANGE, {
          token: user.accessToken,
          variables: { c: PASSWORD, n: 'a brand new password' },
        });
        expect(changed.body.data).toEqual({ changePassword: true });
        const refresh = await identity.call(
          `mutation { refreshSession(refreshToken: "${user.refreshToken}") { accessToken } }`,
        );
        expect(codeOf(refresh)).toBe('UNAUTHENTICATED');
        expect(codeOf(await signIn(user.email, PASSWORD))).toBe('UNAUTHENTICATED');
        expect((await signIn(user.email, 'a brand new password')).body.data?.signIn.__typename).toBe(
          'AuthPayload',
        );
      });
    });
  });
}

import { Leftovers } from '@atrium/platform/testing';
import { AuditEvent } from '../src/audit/audit-event.entity';
import { Session } from '../src/session/session.entity';
import { CONCURRENT_USE_GRACE_MS } from '../src/session/session.service';
import { AUTH_FIELDS, codeOf, MODES, PASSWORD, signUp, startIdentity, type Identity } from './harness';

const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const SIGN_OUT = 'mutation($t: String!) { signOut(refreshToken: $t) }';
const SESSIONS = '{ sessions { id createdAt lastUsedAt expiresAt userAgent ip current } }';

for (const mode of MODES) {
  mode.describe(`identity sessions on ${mode.name}`, () => {
    const leftovers = new Leftovers();
    let identity: Identity;
    beforeAll(async () => {
      identity = await startIdentity(mode, leftovers);
    });
    afterAll(() => leftovers.dispose());

    const refresh = (token: string) =>
      identity.call<{ refreshSession: any }>(REFRESH, { variables: { t: token } });

    it('rotates the refresh token on every refresh and keeps the session', async () => {
      const account = await signUp(identity);
      const first = await refresh(account.refreshToken);
      expect(first.body.errors).toBeUndefined();
      const rotated = first.body.data!.refreshSession;
      expect(rotated.refreshToken).not.toBe(account.refreshToken);
      expect(rotated.user.id).toBe(account.id);
      const before = await identity.principalOf(account.accessToken);
      const after = await identity.principalOf(rotated.accessToken);
      expect(after.sessionId).toBe(before.sessionId);
      const second = await refresh(rotated.refreshToken);
      expect(second.body.data?.refreshSession.refreshToken).toBeDefined();
    });

    /** Runs `fn` with identity's clock moved past the grace period of a just-exchanged refresh token. */
    const later = async <T>(fn: () => Promise<T>): Promise<T> => {
      const realNow = identity.server.app.clock.now;
      identity.server.app.clock.now = () => realNow() + CONCURRENT_USE_GRACE_MS + 1000;
      try {
        return await fn();
      } finally {
        identity.server.app.clock.now = realNow;
      }
    };

    it('treats a rotated token used again as theft: refused, the whole family revoked, the event audited', async () => {
      const account = await signUp(identity);
      const rotated = (await refresh(account.refreshToken)).body.data!.refreshSession;
      const reused = await later(() => refresh(account.refreshToken));
      expect(codeOf(reused)).toBe('UNAUTHENTICATED');
      expect(codeOf(await refresh(rotated.refreshToken))).toBe('UNAUTHENTICATED');
      const sid = (await identity.principalOf(account.accessToken)).sessionId!;
      const session = await identity.server.app.fork().findOneOrFail(Session, sid);
      expect(session).toMatchObject({ revokedReason: 'token_reuse' });
      const events = await identity.server.app
        .fork()
        .find(AuditEvent, { type: 'refresh_token.reused', targetUserId: account.id });
      expect(events).toHaveLength(1);
      expect(JSON.parse(events[0]!.metadataText!)).toEqual({ sessionId: sid, sessionWasActive: true });
    });

    it('lets exactly one of two concurrent refreshes with the same token succeed; the other gets CONFLICT', async () => {
      for (let round = 0; round < 3; round++) {
        const account = await signUp(identity);
        const results = await Promise.all([refresh(account.refreshToken), refresh(account.refreshToken)]);
        const succeeded = results.filter((result) => result.body.data?.refreshSession);
        expect(succeeded).toHaveLength(1);
        expect(codeOf(results.find((result) => !result.body.data?.refreshSession)!)).toBe('CONFLICT');
        // Two tabs refreshing at once do not sign the user out: the winner's tokens keep working.
        const winner = succeeded[0]!.body.data!.refreshSession;
        expect((await refresh(winner.refreshToken)).body.data?.refreshSession.refreshToken).toBeDefined();
      }
    });

    it('answers the old token CONFLICT right after its exchange, and treats it as theft once the grace has passed', async () => {
      const account = await signUp(identity);
      const rotated = (await refresh(account.refreshToken)).body.data!.refreshSession;
      expect(codeOf(await refresh(account.refreshToken))).toBe('CONFLICT');
      expect((await refresh(rotated.refreshToken)).body.data?.refreshSession).toBeDefined();
      expect(codeOf(await later(() => refresh(account.refreshToken)))).toBe('UNAUTHENTICATED');
      const sid = (await identity.principalOf(account.accessToken)).sessionId!;
      const session = await identity.server.app.fork().findOneOrFail(Session, sid);
      expect(session).toMatchObject({ revokedReason: 'token_reuse' });
    });

    it('signOut kills the session at once and answers false for a dead token', async () => {
      const account = await signUp(identity);
      expect((await identity.call(SIGN_OUT, { variables: { t: account.refreshToken } })).body.data).toEqual({
        signOut: true,
      });
      expect(codeOf(await refresh(account.refreshToken))).toBe('UNAUTHENTICATED');
      expect((await identity.call(SIGN_OUT, { variables: { t: account.refreshToken } })).body.data).toEqual({
        signOut: false,
      });
      expect((await identity.call(SIGN_OUT, { variables: { t: 'unknown' } })).body.data).toEqual({
        signOut: false,
      });
    });

    it('refuses an unknown or empty refresh token', async () => {
      expect(codeOf(await refresh('not-a-token'))).toBe('UNAUTHENTICATED');
      expect(codeOf(await refresh(''))).toBe('UNAUTHENTICATED');
    });

    it('lists the live sessions with the current one marked, and revokes one or all', async () => {
      const account = await signUp(identity, { ip: '203.0.113.77' });
      const signIn = await identity.call<{ signIn: any }>(
        `mutation($i: SignInInput!) { signIn(input: $i) { ... on AuthPayload { accessToken refreshToken } } }`,
        { variables: { i: { email: account.email, password: PASSWORD } }, userAgent: 'Second Browser/1.0' },
      );
      const second = signIn.body.data!.signIn;
      const listed = await identity.call<{ sessions: any[] }>(SESSIONS, { token: account.accessToken });
      expect(listed.body.data?.sessions).toHaveLength(2);
      const [newest, oldest] = listed.body.data!.sessions;
      expect(newest).toMatchObject({ userAgent: 'Second Browser/1.0', current: false });
      expect(oldest).toMatchObject({ ip: '203.0.113.77', current: true });

      const REVOKE = 'mutation($id: ID!) { revokeSession(id: $id) }';
      expect(
        (await identity.call(REVOKE, { token: account.accessToken, variables: { id: newest.id } })).body.data,
      ).toEqual({ revokeSession: true });
      expect(codeOf(await refresh(second.refreshToken))).toBe('UNAUTHENTICATED');
      expect(
        (await identity.call<{ sessions: any[] }>(SESSIONS, { token: account.accessToken })).body.data
          ?.sessions,
      ).toHaveLength(1);

      const stranger = await signUp(identity);
      const foreign = await identity.call(REVOKE, {
        token: stranger.accessToken,
        variables: { id: oldest.id },
      });
      expect(codeOf(foreign)).toBe('NOT_FOUND');

      const all = await identity.call('mutation { revokeAllSessions }', { token: account.accessToken });
      expect(all.body.data).toEqual({ revokeAllSessions: 1 });
      expect(codeOf(await refresh(account.refreshToken))).toBe('UNAUTHENTICATED');
    });

    it('refuses sessions and session mutations to anonymous callers and to API keys', async () => {
      const account = await signUp(identity);
      expect(codeOf(await identity.call(SESSIONS))).toBe('UNAUTHENTICATED');
      const apiKey = {
        kind: 'apiKey' as const,
        userId: account.id,
        roles: ['MEMBER' as const],
        scopes: ['profile:read'],
        sessionId: null,
        apiKeyId: 'k1',
      };
      expect(codeOf(await identity.call(SESSIONS, { principal: apiKey }))).toBe('FORBIDDEN');
      expect(codeOf(await identity.call('mutation { revokeAllSessions }', { principal: apiKey }))).toBe(
        'FORBIDDEN',
      );
    });
  });
}

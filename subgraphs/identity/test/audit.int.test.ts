import { Leftovers } from '@atrium/platform/testing';
import { AuditEvent } from '../src/audit/audit-event.entity';
import { totpCode } from '../src/crypto/totp';
import { User } from '../src/user/user.entity';
import { codeOf, MODES, PASSWORD, signUp, startIdentity, type Identity } from './harness';

const EVENTS = `query($first: Int, $after: String, $userId: ID) { auditEvents(first: $first, after: $after, userId: $userId) {
  edges { cursor node { id type actor { id email } targetUserId ip at metadata } } pageInfo { hasNextPage endCursor } } }`;

for (const mode of MODES) {
  mode.describe(`identity audit log on ${mode.name}`, () => {
    const leftovers = new Leftovers();
    let identity: Identity;
    beforeAll(async () => {
      identity = await startIdentity(mode, leftovers);
    });
    afterAll(() => leftovers.dispose());

    it('shows ADMINs everything, everyone else only their own events, and never a secret', async () => {
      const secrets: string[] = [PASSWORD, 'the wrong password!!'];
      const member = await signUp(identity, { ip: '203.0.113.9' });
      const other = await signUp(identity);
      const admin = await signUp(identity);
      await identity.server.app.fork().nativeUpdate(User, { id: admin.id }, { rolesText: 'ADMIN' });
      const adminPrincipal = {
        ...(await identity.principalOf(admin.accessToken)),
        roles: ['ADMIN' as const],
      };
      secrets.push(member.accessToken, member.refreshToken, other.refreshToken);

      await identity.call('mutation($i: SignInInput!) { signIn(input: $i) { __typename } }', {
        variables: { i: { email: member.email, password: 'the wrong password!!' } },
      });
      const key = await identity.call<{ createApiKey: { secret: string } }>(
        'mutation { createApiKey(input: { name: "audit", scopes: ["profile:read"] }) { secret } }',
        { token: member.accessToken },
      );
      secrets.push(key.body.data!.createApiKey.secret);
      const enrollment = await identity.call<{ startTotpEnrollment: { secret: string } }>(
        'mutation { startTotpEnrollment { secret } }',
        { token: member.accessToken },
      );
      const totpSecret = enrollment.body.data!.startTotpEnrollment.secret;
      const codes = await identity.call<{ confirmTotpEnrollment: string[] }>(
        `mutation { confirmTotpEnrollment(code: "${totpCode(totpSecret, Date.now())}") }`,
        { token: member.accessToken },
      );
      secrets.push(totpSecret, ...codes.body.data!.confirmTotpEnrollment);
      await identity.call(`mutation { setUserRoles(userId: "${other.id}", roles: [VIEWER]) { id } }`, {
        principal: adminPrincipal,
      });

      const own = await identity.call<{ auditEvents: any }>(EVENTS, { token: member.accessToken });
      const ownEvents = own.body.data!.auditEvents.edges.map((edge: any) => edge.node);
      expect(ownEvents.map((event: any) => event.type)).toEqual([
        'mfa.enabled',
        'mfa.enrollment_started',
        'api_key.created',
        'signin.failed',
        'user.signed_up',
      ]);
      expect(ownEvents.every((event: any) => event.targetUserId === member.id)).toBe(true);
      expect(ownEvents.at(-1)).toMatchObject({
        actor: { id: member.id, email: member.email },
        ip: '203.0.113.9',
        metadata: { roles: ['MEMBER'] },
      });
      expect(ownEvents.find((event: any) => event.type === 'signin.failed')).toMatchObject({
        actor: null,
        metadata: { reason: 'invalid_credentials' },
      });
      expect(
        codeOf(await identity.call(EVENTS, { token: member.accessToken, variables: { userId: other.id } })),
      ).toBe('FORBIDDEN');

      const forOther = await identity.call<{ auditEvents: any }>(EVENTS, {
        principal: adminPrincipal,
        variables: { userId: other.id },
      });
      const roleChange = forOther.body.data!.auditEvents.edges[0].node;
      expect(roleChange).toMatchObject({
        type: 'user.roles_changed',
        actor: { id: admin.id },
        targetUserId: other.id,
        metadata: { from: ['MEMBER'], to: ['VIEWER'] },
      });
      // Another user's view of an event they were the target of hides the acting ADMIN.
      const asOther = await identity.call<{ auditEvents: any }>(EVENTS, { token: other.accessToken });
      expect(asOther.body.data!.auditEvents.edges[0].node).toMatchObject({
        type: 'user.roles_changed',
        actor: null,
      });

      const rows = await identity.server.app.fork().find(AuditEvent, {});
      const stored = JSON.stringify(rows);
      const logged = identity.logs.join('\n');
      for (const secret of secrets) {
        expect(stored).not.toContain(secret);
        expect(logged).not.toContain(secret);
      }
    });

    it('pages newest first with cursors and clamps first to 100', async () => {
      const admin = {
        kind: 'user' as const,
        userId: 'auditor',
        roles: ['ADMIN' as const],
        scopes: [],
        sessionId: null,
        apiKeyId: null,
      };
      const em = identity.server.app.fork();
      for (let i = 0; i < 120; i++)
        em.create(AuditEvent, {
          type: 'user.enabled',
          targetUserId: 'bulk',
          metadataText: JSON.stringify({ i }),
        });
      await em.flush();
      const first = await identity.call<{ auditEvents: any }>(EVENTS, {
        principal: admin,
        variables: { first: 1000, userId: 'bulk' },
      });
      const page = first.body.data!.auditEvents;
      expect(page.edges).toHaveLength(100);
      expect(page.edges[0].node.metadata).toEqual({ i: 119 });
      expect(page.pageInfo.hasNextPage).toBe(true);
      const second = await identity.call<{ auditEvents: any }>(EVENTS, {
        principal: admin,
        variables: { first: 100, userId: 'bulk', after: page.pageInfo.endCursor },
      });
      expect(second.body.data!.auditEvents.edges.map((edge: any) => edge.node.metadata.i)).toEqual(
        Array.from({ length: 20 }, (_, index) => 19 - index),
      );
      expect(second.body.data!.auditEvents.pageInfo).toEqual({
        hasNextPage: false,
        endCursor: expect.any(String),
      });
      expect(codeOf(await identity.call(EVENTS))).toBe('UNAUTHENTICATED');
    });
  });
}

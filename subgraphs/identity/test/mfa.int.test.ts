import { Leftovers } from '@atrium/platform/testing';
import { totpCode, TOTP_PERIOD_SECONDS } from '../src/crypto/totp';
import { RecoveryCode } from '../src/mfa/recovery-code.entity';
import { User } from '../src/user/user.entity';
import {
  AUTH_FIELDS,
  codeOf,
  MODES,
  PASSWORD,
  signUp,
  startIdentity,
  type Account,
  type Identity,
} from './harness';

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;
const SIGN_IN = `mutation($i: SignInInput!) { signIn(input: $i) {
  __typename ... on MfaChallenge { challengeToken expiresAt } ... on AuthPayload { accessToken } } }`;
const COMPLETE = `mutation($t: String!, $c: String!) { completeMfaSignIn(challengeToken: $t, code: $c) { ${AUTH_FIELDS} } }`;

for (const mode of MODES) {
  mode.describe(`identity MFA on ${mode.name}`, () => {
    const leftovers = new Leftovers();
    let identity: Identity;
    beforeAll(async () => {
      identity = await startIdentity(mode, leftovers);
    });
    afterAll(() => leftovers.dispose());

    /** Enrolls a fresh account; the first code is from the previous step (the -1 side of the window). */
    async function enrolled(): Promise<{ account: Account; secret: string; recoveryCodes: string[] }> {
      const account = await signUp(identity);
      const start = await identity.call<{ startTotpEnrollment: { secret: string; otpauthUri: string } }>(
        'mutation { startTotpEnrollment { secret otpauthUri } }',
        { token: account.accessToken },
      );
      const { secret } = start.body.data!.startTotpEnrollment;
      const confirm = await identity.call<{ confirmTotpEnrollment: string[] }>(
        'mutation($c: String!) { confirmTotpEnrollment(code: $c) }',
        { token: account.accessToken, variables: { c: totpCode(secret, Date.now() - STEP_MS) } },
      );
      expect(confirm.body.errors).toBeUndefined();
      return { account, secret, recoveryCodes: confirm.body.data!.confirmTotpEnrollment };
    }

    const challenge = async (account: Account, ip = '192.0.2.50') => {
      const response = await identity.call<{ signIn: any }>(SIGN_IN, {
        variables: { i: { email: account.email, password: PASSWORD } },
        ip,
      });
      expect(response.body.data?.signIn.__typename).toBe('MfaChallenge');
      return response.body.data!.signIn.challengeToken as string;
    };
    // Each test's calls come from their own address, so the per-IP limit of one test never touches another.
    let lastOctet = 0;
    const complete = (token: string, code: string) =>
      identity.call<{ completeMfaSignIn: any }>(COMPLETE, {
        variables: { t: token, c: code },
        ip: `198.51.100.${(lastOctet = (lastOctet % 250) + 1)}`,
      });

    it('enrolls: a seed with its otpauth URI, a first code, then ten recovery codes shown once', async () => {
      const account = await signUp(identity);
      const start = await identity.call<{ startTotpEnrollment: { secret: string; otpauthUri: string } }>(
        'mutation { startTotpEnrollment { secret otpauthUri } }',
        { token: account.accessToken },
      );
      const { secret, otpauthUri } = start.body.data!.startTotpEnrollment;
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(otpauthUri).toBe(
        `otpauth://totp/Atrium%3A${encodeURIComponent(account.email)}?secret=${secret}&issuer=Atrium&algorithm=SHA1&digits=6&period=30`,
      );
      const wrong = await identity.call('mutation { confirmTotpEnrollment(code: "000000") }', {
        token: account.accessToken,
      });
      expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
      const confirm = await identity.call<{ confirmTotpEnrollment: string[] }>(
        'mutation($c: String!) { confirmTotpEnrollment(code: $c) }',
        { token: account.accessToken, variables: { c: totpCode(secret, Date.now()) } },
      );
      const codes = confirm.body.data!.confirmTotpEnrollment;
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
      const me = await identity.call('{ me { mfaEnabled } }', { token: account.accessToken });
      expect(me.body.data).toEqual({ me: { mfaEnabled: true } });
      const again = await identity.call('mutation { startTotpEnrollment { secret } }', {
        token: account.accessToken,
      });
      expect(codeOf(again)).toBe('CONFLICT');

      // At rest: the seed is sealed and the recovery codes are hashes.
      const stored = await identity.server.app.fork().findOneOrFail(User, account.id);
      expect(stored.totpSecret).toMatch(/^v1\./);
      expect(stored.totpSecret).not.toContain(secret);
      const rows = await identity.server.app.fork().find(RecoveryCode, { userId: account.id });
      expect(rows.map((row) => row.codeHash).join()).not.toContain(codes[0]!.replace(/-/g, ''));
    });

    it('signs an enrolled user in through an MFA challenge and a TOTP code (+1 step accepted)', async () => {
      const { account, secret } = await enrolled();
      const token = await challenge(account);
      const done = await complete(token, totpCode(secret, Date.now() + STEP_MS));
      expect(done.body.errors).toBeUndefined();
      expect(done.body.data!.completeMfaSignIn.user).toMatchObject({
        id: account.id,
        email: account.email,
        mfaEnabled: true,
      });
      expect(codeOf(await complete(token, totpCode(secret, Date.now())))).toBe('UNAUTHENTICATED');
    });

    it('never accepts a TOTP code twice, not even in a new challenge, nor two sent at once', async () => {
      const { account, secret } = await enrolled();
      const code = totpCode(secret, Date.now());
      expect((await complete(await challenge(account), code)).body.data?.completeMfaSignIn).toBeDefined();
      const replay = await complete(await challenge(account), code);
      expect(codeOf(replay)).toBe('UNAUTHENTICATED');
      const older = await complete(await challenge(account), totpCode(secret, Date.now() - STEP_MS));
      expect(codeOf(older)).toBe('UNAUTHENTICATED');

      const fresh = await enrolled();
      const [a, b] = await Promise.all([challenge(fresh.account), challenge(fresh.account)]);
      const nowCode = totpCode(fresh.secret, Date.now());
      const results = await Promise.all([complete(a, nowCode), complete(b, nowCode)]);
      expect(results.filter((result) => result.body.data?.completeMfaSignIn)).toHaveLength(1);
    });

    it('accepts each recovery code once, in any case and without dashes', async () => {
      const { account, recoveryCodes } = await enrolled();
      const [first, second] = recoveryCodes;
      const used = await complete(await challenge(account), first!.toLowerCase().replace(/-/g, ''));
      expect(used.body.data?.completeMfaSignIn.user.id).toBe(account.id);
      expect(codeOf(await complete(await challenge(account), first!))).toBe('UNAUTHENTICATED');
      expect((await complete(await challenge(account), second!)).body.data?.completeMfaSignIn).toBeDefined();
    });

    it('kills a challenge after five wrong codes, even for the right one', async () => {
      const { account, secret } = await enrolled();
      const token = await challenge(account, '192.0.2.51');
      for (let i = 0; i < 5; i++) expect(codeOf(await complete(token, '123456'))).toBe('UNAUTHENTICATED');
      const late = await complete(token, totpCode(secret, Date.now()));
      expect(late.body.errors?.[0]?.message).toBe('Invalid or expired MFA challenge');
      expect(codeOf(await complete('mfa_forged', '123456'))).toBe('UNAUTHENTICATED');
    });

    it('disableTotp needs a valid code, then sign-in needs the password only', async () => {
      const { account, secret, recoveryCodes } = await enrolled();
      const wrong = await identity.call('mutation { disableTotp(code: "000000") }', {
        token: account.accessToken,
      });
      expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
      const off = await identity.call('mutation($c: String!) { disableTotp(code: $c) }', {
        token: account.accessToken,
        variables: { c: recoveryCodes[3] },
      });
      expect(off.body.data).toEqual({ disableTotp: true });
      const signIn = await identity.call<{ signIn: any }>(SIGN_IN, {
        variables: { i: { email: account.email, password: PASSWORD } },
      });
      expect(signIn.body.data?.signIn.__typename).toBe('AuthPayload');
      expect(await identity.server.app.fork().count(RecoveryCode, { userId: account.id })).toBe(0);
      const again = await identity.call('mutation($c: String!) { disableTotp(code: $c) }', {
        token: account.accessToken,
        variables: { c: totpCode(secret, Date.now()) },
      });
      expect(codeOf(again)).toBe('CONFLICT');
    });

    it('refuses MFA management to API keys and anonymous callers', async () => {
      const account = await signUp(identity);
      const apiKey = {
        kind: 'apiKey' as const,
        userId: account.id,
        roles: ['MEMBER' as const],
        scopes: ['profile:read'],
        sessionId: null,
        apiKeyId: 'k1',
      };
      expect(
        codeOf(await identity.call('mutation { startTotpEnrollment { secret } }', { principal: apiKey })),
      ).toBe('FORBIDDEN');
      expect(codeOf(await identity.call('mutation { disableTotp(code: "123456") }'))).toBe('UNAUTHENTICATED');
    });
  });
}

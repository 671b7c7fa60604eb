import { Leftovers } from '@atrium/platform/testing';
import { AUTH_FIELDS, codeOf, MODES, startIdentity, uniqueEmail, type Identity } from './harness';

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { ${AUTH_FIELDS} } }`;

// Makes every insert into `users` fail inside the database, after the service has hashed the password: the failed
// statement carries the new user's Argon2 hash, as in the attack run's unique-violation and constraint failures.
const FAIL_USER_INSERTS = {
  postgres: 'alter table "users" add constraint "planted_failure" check (false) not valid',
  sqlite:
    "create trigger planted_failure before insert on users begin select raise(abort, 'planted failure'); end",
};

for (const mode of MODES) {
  mode.describe(`identity on ${mode.name}: a failed write logs no SQL values`, () => {
    const leftovers = new Leftovers();
    let identity: Identity;
    beforeAll(async () => {
      identity = await startIdentity(mode, leftovers);
      await identity.server.app.fork().getConnection().execute(FAIL_USER_INSERTS[mode.database]);
    });
    afterAll(() => leftovers.dispose());

    it('signUp failing in the database is logged with its code, without the Argon2 hash or the email', async () => {
      const email = uniqueEmail('planted');
      const password = 'planted-password-7c1e9a4f2b';
      const response = await identity.call(SIGN_UP, {
        variables: { input: { email, password, displayName: 'Planted' } },
      });

      expect(codeOf(response)).toBe('INTERNAL_SERVER_ERROR');
      const errorLines = identity.logs
        .map((line) => JSON.parse(line) as { level: number; err?: { code?: unknown; message?: string } })
        .filter((line) => line.err !== undefined && line.level >= 50);
      expect(errorLines).toHaveLength(1);
      expect(errorLines[0]?.err?.code).toEqual(expect.any(String));
      expect(errorLines[0]?.err?.message).toMatch(/insert into/i);
      const text = identity.logs.join('');
      expect(text).not.toContain('$argon2');
      expect(text).not.toContain(email);
      expect(text).not.toContain(password);
    });
  });
}

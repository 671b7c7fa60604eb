import { performance } from 'node:perf_hooks';
import { Leftovers } from '@atrium/platform/testing';
import { codeOf, MODES, PASSWORD, signUp, startIdentity, uniqueEmail, type Identity } from './harness';

const SIGN_IN = `mutation($i: SignInInput!) { signIn(input: $i) { __typename } }`;
const SAMPLES = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

for (const mode of MODES) {
  mode.describe(`identity throttling on ${mode.name}`, () => {
    const leftovers = new Leftovers();
    let identity: Identity;
    let ipCounter = 0;
    const nextIp = () => `100.64.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;
    beforeAll(async () => {
      identity = await startIdentity(mode, leftovers, { IDENTITY_IP_ATTEMPTS_PER_MINUTE: '8' });
    });
    afterAll(() => leftovers.dispose());

    const signIn = (email: string, password: string, ip = nextIp()) =>
      identity.call(SIGN_IN, { variables: { i: { email, password } }, ip });

    it('throttles one account after 5 attempts, from any address, with retryAfterSeconds', async () => {
      const account = await signUp(identity);
      for (let i = 0; i < 5; i++)
        expect(codeOf(await signIn(account.email, 'wrong password, attempt'))).toBe('UNAUTHENTICATED');
      const limited = await signIn(account.email, 'wrong password, attempt');
      expect(codeOf(limited)).toBe('RATE_LIMITED');
      expect(limited.body.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      // Even the right password waits: the attacker learns nothing from a throttled attempt.
      expect(codeOf(await signIn(account.email, PASSWORD))).toBe('RATE_LIMITED');
    });

    it('throttles one address trying many accounts (credential stuffing)', async () => {
      const ip = nextIp();
      for (let i = 0; i < 8; i++)
        expect(codeOf(await signIn(uniqueEmail('stuffed'), 'guessed password 123', ip))).toBe(
          'UNAUTHENTICATED',
        );
      expect(codeOf(await signIn(uniqueEmail('stuffed'), 'guessed password 123', ip))).toBe('RATE_LIMITED');
      expect(codeOf(await signIn(uniqueEmail('stuffed'), 'guessed password 123'))).toBe('UNAUTHENTICATED');
    });

    it('clears the account throttle after a successful sign-in', async () => {
      const account = await signUp(identity);
      for (let i = 0; i < 4; i++) await signIn(account.email, 'wrong password, attempt');
      expect(codeOf(await signIn(account.email, PASSWORD))).toBeUndefined();
      for (let i = 0; i < 5; i++)
        expect(codeOf(await signIn(account.email, 'wrong password, attempt'))).toBe('UNAUTHENTICATED');
    });

    it('takes as long for an unknown email as for a wrong password (medians within 0.5x-2x)', async () => {
      const accounts = await Promise.all([signUp(identity), signUp(identity), signUp(identity)]);
      const known: number[] = [];
      const unknown: number[] = [];
      const time = async (email: string) => {
        const started = performance.now();
        const response = await signIn(email, 'definitely the wrong password');
        const elapsed = performance.now() - started;
        expect(codeOf(response)).toBe('UNAUTHENTICATED');
        return elapsed;
      };
      await time(uniqueEmail('warm-up'));
      for (let i = 0; i < SAMPLES; i++) {
        known.push(await time(accounts[i % accounts.length]!.email));
        unknown.push(await time(uniqueEmail('unknown')));
      }
      const ratio = median(unknown) / median(known);
      console.info(
        `[${mode.name}] sign-in failure medians: wrong password ${median(known).toFixed(1)} ms, ` +
          `unknown email ${median(unknown).toFixed(1)} ms, ratio ${ratio.toFixed(2)}`,
      );
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    });

    it('fails closed when the rate limiter store is down: no password is tried', async () => {
      const down = await startIdentity(mode, leftovers, {
        REDIS_URL: 'redis://127.0.0.1:1',
        IDENTITY_IP_ATTEMPTS_PER_MINUTE: '8',
      });
      const started = performance.now();
      const response = await down.call(SIGN_IN, {
        variables: { i: { email: uniqueEmail(), password: PASSWORD } },
      });
      expect(codeOf(response)).toBe('RATE_LIMITED');
      expect(response.body.errors![0]!.extensions!.retryAfterSeconds).toBe(30);
      expect(performance.now() - started).toBeLessThan(10_000);
      const signUpResponse = await down.call(
        'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
        { variables: { i: { email: uniqueEmail(), password: PASSWORD, displayName: 'X' } } },
      );
      expect(codeOf(signUpResponse)).toBe('RATE_LIMITED');
    });
  });
}

import {
  MemoryRateLimiter,
  RateLimiterUnavailableError,
  type RateLimiter,
} from '@atrium/platform/rate-limit';
import { ACCOUNT_TIERS, throttle } from '../src/auth/throttle';

/** What a client is told to wait, in seconds, or 0 when the attempt is let through. */
async function waitAfter(limiter: RateLimiter): Promise<number> {
  try {
    await throttle(limiter, [{ key: 'acct', tiers: ACCOUNT_TIERS }]);
    return 0;
  } catch (error) {
    return (error as { extensions: { retryAfterSeconds: number } }).extensions.retryAfterSeconds;
  }
}

describe('account throttling', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('lets a burst of 5 through, then makes an attacker wait longer the longer they keep going', async () => {
    const limiter = new MemoryRateLimiter();
    for (let i = 0; i < 5; i++) expect(await waitAfter(limiter)).toBe(0);
    const firstWait = await waitAfter(limiter);
    expect(firstWait).toBeGreaterThan(0);
    expect(firstWait).toBeLessThanOrEqual(12);

    // An attacker trying every 12 s gets through 15 more times within the hour, then is told to wait minutes.
    let allowed = 5;
    let wait = 0;
    while (wait === 0 && allowed < 100) {
      jest.advanceTimersByTime(12_000);
      wait = await waitAfter(limiter);
      if (wait === 0) allowed += 1;
    }
    expect(allowed).toBe(20);
    expect(wait).toBeGreaterThan(60);
  });

  it('fails closed with RATE_LIMITED when the store cannot be reached', async () => {
    const broken: RateLimiter = {
      consume: async () => {
        throw new RateLimiterUnavailableError();
      },
      refund: async () => undefined,
      reset: async () => undefined,
    };
    expect(await waitAfter(broken)).toBe(30);
  });
});

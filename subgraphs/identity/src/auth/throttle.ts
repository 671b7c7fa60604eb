import { errors } from '@atrium/platform/errors';
import { sha256Hex } from '../crypto/secrets';
import type { IdentityRequest } from '../request';
import {
  RateLimiterUnavailableError,
  type RateLimiter,
  type RateLimitRule,
} from '@atrium/platform/rate-limit';

/**
 * Attempts per account: a burst of 5, then one per 12 s; past 20 in an hour one per 3 minutes; past 50 in a
 * day one per ~30 minutes. Each tier is a GCRA bucket, so the delay grows the longer an attacker keeps going,
 * and a successful sign-in clears the account's buckets.
 */
export const ACCOUNT_TIERS: readonly RateLimitRule[] = [
  { limit: 5, windowMs: 60_000 },
  { limit: 20, windowMs: 3_600_000 },
  { limit: 50, windowMs: 86_400_000 },
];

/** Attempts per IP: `perMinute` a minute, ten times that an hour (credential stuffing across accounts). */
export function ipTiers(perMinute: number): RateLimitRule[] {
  return [
    { limit: perMinute, windowMs: 60_000 },
    { limit: perMinute * 10, windowMs: 3_600_000 },
  ];
}

export interface ThrottleKey {
  key: string;
  tiers: readonly RateLimitRule[];
}

/** Keyed by a hash of the address, so no email sits in the rate limiter's store. */
export function accountKey(action: string, account: string): ThrottleKey {
  return { key: `${action}:acct:${sha256Hex(account)}`, tiers: ACCOUNT_TIERS };
}

/**
 * The throttle of every credential check (sign-up, sign-in, MFA codes, password change) on the process's shared
 * rate limiter: per client address and per account.
 */
export class CredentialThrottle {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly ipAttemptsPerMinute: number,
  ) {}

  /** The key of the request's client address for one action (`signin`, `signup`, `mfa`). */
  ip(req: Pick<IdentityRequest, 'clientIp'>, action: string): ThrottleKey {
    return { key: `${action}:ip:${req.clientIp ?? 'unknown'}`, tiers: ipTiers(this.ipAttemptsPerMinute) };
  }

  /** Counts one attempt against every key; RATE_LIMITED when any is exhausted (see `throttle`). */
  check(keys: ThrottleKey[]): Promise<void> {
    return throttle(this.limiter, keys);
  }

  clear(key: ThrottleKey): Promise<void> {
    return clearThrottle(this.limiter, key);
  }
}

/** Seconds a client is told to wait when the limiter's store is unreachable and attempts are refused. */
const STORE_DOWN_RETRY_SECONDS = 30;

/**
 * Counts one attempt against every key and tier; throws RATE_LIMITED (with `retryAfterSeconds`, the longest
 * wait) when any of them is exhausted. Fails closed: when the store is unreachable nobody may try a password,
 * since an unthrottled sign-in is what credential stuffing needs.
 */
export async function throttle(limiter: RateLimiter, keys: ThrottleKey[]): Promise<void> {
  let retryAfterMs = 0;
  try {
    for (const { key, tiers } of keys) {
      for (const [index, rule] of tiers.entries()) {
        const result = await limiter.consume(`${key}:t${index}`, rule);
        if (!result.allowed) retryAfterMs = Math.max(retryAfterMs, result.retryAfterMs);
      }
    }
  } catch (error) {
    if (error instanceof RateLimiterUnavailableError) {
      throw errors.RATE_LIMITED('Sign-in is temporarily unavailable; try again shortly', {
        retryAfterSeconds: STORE_DOWN_RETRY_SECONDS,
      });
    }
    throw error;
  }
  if (retryAfterMs > 0) {
    throw errors.RATE_LIMITED('Too many attempts; try again later', {
      retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    });
  }
}

/** Clears an account's buckets after it proved its credentials. A store failure here changes nothing. */
export async function clearThrottle(limiter: RateLimiter, key: ThrottleKey): Promise<void> {
  await Promise.all(
    key.tiers.map((_rule, index) => limiter.reset(`${key.key}:t${index}`).catch(() => undefined)),
  );
}

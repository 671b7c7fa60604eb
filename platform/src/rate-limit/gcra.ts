import type { RateLimitResult, RateLimitRule } from './index';

/** The limiter's store could not be reached; nothing was counted. */
export class RateLimiterUnavailableError extends Error {
  readonly code = 'RATE_LIMITER_UNAVAILABLE';
  constructor(options?: { cause?: unknown }) {
    super('rate limiter store is not reachable', options);
    this.name = 'RateLimiterUnavailableError';
  }
}

/** Absorbs floating-point error, so `limit` calls at one instant are all allowed (windowMs/limit*limit ≠ windowMs). */
const EPSILON = 1e-6;

export function normalizeRule(rule: RateLimitRule): Required<RateLimitRule> {
  const { limit, windowMs, cost = 1 } = rule;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be an integer >= 1');
  if (!(windowMs > 0) || !Number.isFinite(windowMs)) throw new RangeError('windowMs must be > 0');
  if (!(cost > 0) || cost > limit) throw new RangeError('cost must be > 0 and <= limit');
  return { limit, windowMs, cost };
}

/**
 * One GCRA step. `tat` is the key's theoretical arrival time (ms). Returns the result and, when allowed,
 * the new `tat` to store until it passes. The Lua script in redis.ts is this function, line for line.
 */
export function gcra(
  storedTat: number | undefined,
  now: number,
  { limit, windowMs, cost }: Required<RateLimitRule>,
): RateLimitResult & { tat?: number } {
  const interval = windowMs / limit;
  const tat = Math.max(storedTat ?? now, now);
  const newTat = tat + interval * cost;
  const allowAt = newTat - windowMs;
  if (allowAt > now + EPSILON) {
    const remaining = Math.max(0, Math.floor((now + windowMs - tat) / interval + EPSILON));
    return { allowed: false, remaining, retryAfterMs: Math.ceil(allowAt - now) };
  }
  const remaining = Math.max(0, Math.floor((now + windowMs - newTat) / interval + EPSILON));
  return { allowed: true, remaining, retryAfterMs: 0, tat: newTat };
}

export const GCRA_LUA = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local eps = 1e-6
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local interval = window / limit
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local newTat = tat + interval * cost
local allowAt = newTat - window
if allowAt > now + eps then
  local remaining = math.max(0, math.floor((now + window - tat) / interval + eps))
  return {0, remaining, math.ceil(allowAt - now)}
end
redis.call('SET', KEYS[1], string.format('%.17g', newTat), 'PX', math.max(1, math.ceil(newTat - now)))
return {1, math.max(0, math.floor((now + window - newTat) / interval + eps)), 0}
`;

import type { RateLimitResult, RateLimitRule } from './index';

/** The limiter's store could not be reached; nothing was counted. */
export class RateLimiterUnavailableError extends Error {
  readonly code = 'RATE_LIMITER_UNAVAILABLE';
  constructor(options?: { cause?: unknown }) {
    super('rate limiter store is not reachable', options);
    this.name = 'RateLimiterUnavailableError';
  }
}

export function normalizeRule(rule: RateLimitRule): Required<RateLimitRule> {
  const { limit, windowMs, cost = 1 } = rule;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be an integer >= 1');
  if (!Number.isInteger(windowMs) || windowMs < 1) throw new RangeError('windowMs must be an integer >= 1');
  if (limit > windowMs * 1000) throw new RangeError('limit must be at most one per microsecond of windowMs');
  if (!Number.isInteger(cost) || cost < 1 || cost > limit) {
    throw new RangeError('cost must be an integer in 1..limit');
  }
  return { limit, windowMs, cost };
}

/**
 * One GCRA step in whole microseconds, so no rounding error lets `limit + 1` calls through or stops the
 * `limit`-th (epoch microseconds stay exact in a double until the year 2255). The interval is rounded down
 * and the burst is `limit` intervals (at most `limit` µs short of the window), so exactly `limit` calls fit
 * in one instant for any rule. `storedTat` is the key's theoretical arrival time; when allowed, the result
 * carries the new one to store. `GCRA_LUA` is this function, line for line.
 */
export function gcra(
  storedTat: number | undefined,
  nowUs: number,
  { limit, windowMs, cost }: Required<RateLimitRule>,
): RateLimitResult & { tat?: number } {
  const interval = Math.floor((windowMs * 1000) / limit);
  const burst = interval * limit;
  const tat = Math.max(storedTat ?? nowUs, nowUs);
  const newTat = tat + interval * cost;
  const allowAt = newTat - burst;
  if (allowAt > nowUs) {
    const remaining = Math.floor((nowUs + burst - tat) / interval);
    return { allowed: false, remaining, retryAfterMs: Math.ceil((allowAt - nowUs) / 1000) };
  }
  const remaining = Math.floor((nowUs + burst - newTat) / interval);
  return { allowed: true, remaining, retryAfterMs: 0, tat: newTat };
}

export const GCRA_LUA = `
local limit = tonumber(ARGV[1])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = math.floor(tonumber(ARGV[2]) * 1000 / limit)
local burst = interval * limit
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local newTat = tat + interval * cost
local allowAt = newTat - burst
if allowAt > now then
  return {0, math.floor((now + burst - tat) / interval), math.ceil((allowAt - now) / 1000)}
end
redis.call('SET', KEYS[1], string.format('%.0f', newTat), 'PX', math.max(1, math.ceil((newTat - now) / 1000)))
return {1, math.floor((now + burst - newTat) / interval), 0}
`;

/**
 * The key's TAT after giving back `cost` units: `cost` intervals earlier, but never before now (a key with
 * nothing used has nothing to give back). Undefined: forget the key. `GCRA_REFUND_LUA` is this function.
 */
export function gcraRefund(
  storedTat: number | undefined,
  nowUs: number,
  { limit, windowMs, cost }: Required<RateLimitRule>,
): number | undefined {
  if (storedTat === undefined) return undefined;
  const tat = storedTat - Math.floor((windowMs * 1000) / limit) * cost;
  return tat > nowUs ? tat : undefined;
}

export const GCRA_REFUND_LUA = `
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat then return 0 end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local newTat = tat - math.floor(tonumber(ARGV[2]) * 1000 / tonumber(ARGV[1])) * tonumber(ARGV[3])
if newTat <= now then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('SET', KEYS[1], string.format('%.0f', newTat), 'PX', math.max(1, math.ceil((newTat - now) / 1000)))
return 1
`;

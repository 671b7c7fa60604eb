import type { Redis } from 'ioredis';
import { defineScript, type SharedRedis } from '../infrastructure/redis';
import type { RateLimiter, RateLimitResult, RateLimitRule } from './index';
import { GCRA_LUA, GCRA_REFUND_LUA, normalizeRule, RateLimiterUnavailableError } from './gcra';

export interface RedisRateLimiterOptions {
  /** The process's shared connection (fail-fast: an outage throws at once). */
  connection: SharedRedis;
  /** Keys are stored as `<keyPrefix>rl:<key>`. */
  keyPrefix: string;
}

/**
 * GCRA in one Lua script (atomic; Redis's own clock, so replicas with skewed clocks agree). Store errors
 * throw `RateLimiterUnavailableError`: failing open or closed is the caller's decision.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: SharedRedis;

  constructor(private readonly options: RedisRateLimiterOptions) {
    this.redis = options.connection;
  }

  async consume(key: string, rule: RateLimitRule): Promise<RateLimitResult> {
    const { limit, windowMs, cost } = normalizeRule(rule);
    try {
      const gcra = (client: Redis) => defineScript(client, 'atriumGcra', 1, GCRA_LUA);
      const reply = await this.redis.run((client) => gcra(client)(this.keyOf(key), limit, windowMs, cost));
      const [allowed, remaining, retryAfterMs] = reply as number[];
      return { allowed: allowed === 1, remaining: remaining ?? 0, retryAfterMs: retryAfterMs ?? 0 };
    } catch (error) {
      throw new RateLimiterUnavailableError({ cause: error });
    }
  }

  async refund(key: string, rule: RateLimitRule): Promise<void> {
    const { limit, windowMs, cost } = normalizeRule(rule);
    try {
      const refund = (client: Redis) => defineScript(client, 'atriumGcraRefund', 1, GCRA_REFUND_LUA);
      await this.redis.run((client) => refund(client)(this.keyOf(key), limit, windowMs, cost));
    } catch (error) {
      throw new RateLimiterUnavailableError({ cause: error });
    }
  }

  async reset(key: string): Promise<void> {
    try {
      await this.redis.run((client) => client.del(this.keyOf(key)));
    } catch (error) {
      throw new RateLimiterUnavailableError({ cause: error });
    }
  }

  private keyOf(key: string): string {
    return `${this.options.keyPrefix}rl:${key}`;
  }
}

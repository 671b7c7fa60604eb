import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { describeError, RedisUnavailableError, type SharedRedis } from './redis';

/** A dependency probe for readiness: resolves when usable, rejects (fast) when not. */
export interface InfrastructureHealthCheck {
  name: string;
  kind: string;
  check: () => Promise<void>;
  /** Round trip of the last successful check in milliseconds; undefined before one succeeded. */
  readonly latencyMs?: number;
}

/** PING through the shared command connection: fails at once while Redis is down, else within 2 s. */
export function redisHealthCheck(redis: SharedRedis): InfrastructureHealthCheck {
  let latencyMs: number | undefined;
  return {
    name: 'redis',
    kind: 'redis',
    get latencyMs() {
      return latencyMs;
    },
    async check() {
      const started = performance.now();
      try {
        await redis.run((client) => client.ping());
      } catch (error) {
        throw error instanceof RedisUnavailableError
          ? error
          : new RedisUnavailableError('redis: PING failed', { cause: error });
      }
      latencyMs = performance.now() - started;
    },
  };
}

/**
 * Warns when Redis may evict keys: BullMQ keeps jobs in Redis and an evicting policy loses them silently.
 * Managed Redis services often forbid CONFIG; that is not an error, the check is then skipped.
 */
export async function checkEvictionPolicy(client: Redis, log: Logger): Promise<void> {
  let policy: string | undefined;
  try {
    const reply = (await client.config('GET', 'maxmemory-policy')) as unknown as string[];
    policy = reply[1];
  } catch (error) {
    log.debug(
      { err: describeError(error) },
      'could not read maxmemory-policy (CONFIG not allowed?); not checked',
    );
    return;
  }
  if (policy !== undefined && policy !== 'noeviction') {
    log.warn(
      { maxmemoryPolicy: policy },
      `Redis maxmemory-policy is "${policy}": Redis may evict queued jobs; set it to "noeviction"`,
    );
  }
}

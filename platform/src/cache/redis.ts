import type { Logger } from 'pino';
import { silentLogger } from '../infrastructure/logger';
import { describeError, type SharedRedis } from '../infrastructure/redis';
import type { Cache } from './index';
import { assertTtl, serialize } from './shared';

export interface RedisCacheOptions {
  /** The process's shared connection (fail-fast: an outage costs a miss, not a wait). */
  connection: SharedRedis;
  /** Keys are stored as `<keyPrefix>cache:<key>`. */
  keyPrefix: string;
  /** Store failures are logged here (warn), without the key's value. Default: silent. */
  log?: Logger;
}

/** Redis cache: JSON values under `SET … PX ttl`. Every store failure degrades to a miss or a no-op. */
export class RedisCache implements Cache {
  private readonly redis: SharedRedis;
  private readonly log: Logger;

  constructor(private readonly options: RedisCacheOptions) {
    this.log = options.log ?? silentLogger();
    this.redis = options.connection;
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const json = await this.redis.run((client) => client.get(this.keyOf(key)));
      return json === null ? undefined : (JSON.parse(json) as T);
    } catch (error) {
      this.log.warn({ err: describeError(error) }, 'cache read failed; treated as a miss');
      return undefined;
    }
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    assertTtl(ttlMs);
    const json = serialize(value);
    try {
      await this.redis.run((client) => client.set(this.keyOf(key), json, 'PX', ttlMs));
    } catch (error) {
      this.log.warn({ err: describeError(error) }, 'cache write failed');
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.redis.run((client) => client.del(this.keyOf(key)));
    } catch (error) {
      this.log.warn({ err: describeError(error) }, 'cache delete failed; the entry lives until its TTL');
    }
  }

  private keyOf(key: string): string {
    return `${this.options.keyPrefix}cache:${key}`;
  }
}

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { silentLogger } from '../infrastructure/logger';
import { defineScript, describeError, type SharedRedis } from '../infrastructure/redis';
import type { Lock, LockHandle } from './index';
import { assertLockTtl, handle, runLocked } from './shared';

export interface RedisLockOptions {
  /** The process's shared connection (fail-fast: `acquire` throws at once while Redis is down). */
  connection: SharedRedis;
  /** Keys are stored as `<keyPrefix>lock:<key>`. */
  keyPrefix: string;
  /** A failed release is logged here (the lock then frees itself at its TTL). Default: silent. */
  log?: Logger;
}

/** Deletes the key only while it still holds the caller's token, so a late release never frees another holder. */
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** `SET key token NX PX ttl` to acquire; token-checked Lua to release. Single-instance Redis, not Redlock. */
export class RedisLock implements Lock {
  private readonly redis: SharedRedis;
  private readonly log: Logger;

  constructor(private readonly options: RedisLockOptions) {
    this.log = options.log ?? silentLogger();
    this.redis = options.connection;
  }

  async acquire(key: string, ttlMs: number): Promise<LockHandle | null> {
    assertLockTtl(ttlMs);
    const redisKey = `${this.options.keyPrefix}lock:${key}`;
    const token = randomBytes(16).toString('hex');
    const acquired = await this.redis.run((client) => client.set(redisKey, token, 'PX', ttlMs, 'NX'));
    if (acquired !== 'OK') return null;
    return handle(async () => {
      try {
        const release = (client: Redis) => defineScript(client, 'atriumLockRelease', 1, RELEASE_LUA);
        await this.redis.run((client) => release(client)(redisKey, token));
      } catch (error) {
        this.log.warn({ err: describeError(error) }, 'lock release failed; it frees itself at its TTL');
      }
    });
  }

  withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T | null> {
    return this.acquire(key, ttlMs).then((lock) => runLocked(lock, fn));
  }
}

import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { MemoryCache, RedisCache, type Cache } from '../cache';
import { MemoryEventBus, RedisEventBus, type EventBus } from '../events';
import { MemoryLock, RedisLock, type Lock } from '../lock';
import {
  BullMqQueueProvider,
  MemoryQueueProvider,
  type JobHandler,
  type JobQueue,
  type JobWorker,
  type QueueProvider,
  type WorkerOptions,
} from '../queue';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from '../rate-limit';
import { silentLogger } from './logger';
import { SharedRedis } from './redis';
import { checkEvictionPolicy, redisHealthCheck, type InfrastructureHealthCheck } from './redis-checks';

export interface InfrastructureOptions {
  /** Unset: everything in-process (embedded mode). Set: everything on this Redis. Never logged. */
  redisUrl?: string;
  /** Prefix of every Redis key and channel, e.g. `atrium:`; lets deployments share a Redis. */
  keyPrefix: string;
  /** Connection problems, failed jobs, the eviction-policy warning. Default: silent. */
  log?: Logger;
  /** Redis mode: ioredis options (TLS, timeouts) merged over the fail-fast defaults. */
  redisOptions?: RedisOptions;
  /** Redis mode: how long the first commands wait for the initial connection. Default 2000 ms. */
  readyTimeoutMs?: number;
  /** Redis mode: how long a command waits for an answer before failing like an outage. Default 2000 ms. */
  commandTimeoutMs?: number;
  /** Memory mode: cache entries kept (LRU). Default 10 000. */
  cacheMaxEntries?: number;
}

/** Every mode-switched concern behind one object; the only place that knows which mode runs. */
export interface Infrastructure {
  mode: 'redis' | 'memory';
  events: EventBus;
  cache: Cache;
  rateLimiter: RateLimiter;
  lock: Lock;
  /** The producer of a queue; one handle per name. */
  queue<T>(name: string): JobQueue<T>;
  /** Starts a worker on a queue; `close()` of the infrastructure closes it (running jobs finish, bounded). */
  worker<T>(name: string, handler: JobHandler<T>, options: WorkerOptions): JobWorker;
  /** Readiness probes of the dependencies (none in memory mode). */
  healthChecks: InfrastructureHealthCheck[];
  /** Closes workers, queues, subscriptions and every connection it opened. Idempotent. */
  close(): Promise<void>;
}

export function createInfrastructure(options: InfrastructureOptions): Infrastructure {
  return options.redisUrl ? redisInfrastructure(options.redisUrl, options) : memoryInfrastructure(options);
}

function memoryInfrastructure(options: InfrastructureOptions): Infrastructure {
  const log = options.log ?? silentLogger();
  return assemble('memory', {
    events: new MemoryEventBus({ log }),
    cache: new MemoryCache({ maxEntries: options.cacheMaxEntries }),
    rateLimiter: new MemoryRateLimiter(),
    lock: new MemoryLock(),
    queues: new MemoryQueueProvider({ log }),
    healthChecks: [],
    closeConnections: async () => undefined,
  });
}

function redisInfrastructure(url: string, options: InfrastructureOptions): Infrastructure {
  const log = options.log ?? silentLogger();
  const { keyPrefix } = options;
  const redis = new SharedRedis({
    url,
    redisOptions: options.redisOptions,
    readyTimeoutMs: options.readyTimeoutMs,
    commandTimeoutMs: options.commandTimeoutMs,
    name: 'atrium',
    log,
  });
  redis.client.once('ready', () => void checkEvictionPolicy(redis.client, log));
  const connection = redis;
  return assemble('redis', {
    events: new RedisEventBus({ connection, keyPrefix, log }),
    cache: new RedisCache({ connection, keyPrefix, log }),
    rateLimiter: new RedisRateLimiter({ connection, keyPrefix }),
    lock: new RedisLock({ connection, keyPrefix, log }),
    queues: new BullMqQueueProvider({ connection, keyPrefix, log }),
    healthChecks: [redisHealthCheck(redis)],
    closeConnections: () => redis.close(),
  });
}

interface Parts {
  events: EventBus;
  cache: Cache;
  rateLimiter: RateLimiter;
  lock: Lock;
  queues: QueueProvider;
  healthChecks: InfrastructureHealthCheck[];
  closeConnections: () => Promise<void>;
}

function assemble(mode: Infrastructure['mode'], parts: Parts): Infrastructure {
  const { events, cache, rateLimiter, lock, queues, healthChecks } = parts;
  let closing: Promise<void> | undefined;
  return {
    mode,
    events,
    cache,
    rateLimiter,
    lock,
    healthChecks,
    queue: <T>(name: string) => queues.queue<T>(name),
    worker: <T>(name: string, handler: JobHandler<T>, options: WorkerOptions) =>
      queues.worker(name, handler, options),
    close: () =>
      (closing ??= (async () => {
        // Workers first: their running jobs may still publish events or take locks.
        await queues.close();
        await events.close();
        await cache.close?.();
        await parts.closeConnections();
      })()),
  };
}

export type { InfrastructureHealthCheck } from './redis-checks';
export { SharedRedis, RedisUnavailableError, type RedisConnectionOptions } from './redis';

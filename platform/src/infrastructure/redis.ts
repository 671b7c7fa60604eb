import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { withTimeout } from '../resilience/timing';

export interface RedisConnectionOptions {
  /** `redis://` or `rediss://` URL. Never logged nor put in an error message: it may carry a password. */
  url: string;
  /**
   * Extra ioredis options, merged over the fail-fast defaults (no offline queue, no command retry, 2 s
   * connect timeout, reconnect forever with backoff capped at 2 s). `keyPrefix` is refused: every
   * component prefixes its own keys, and BullMQ rejects prefixed clients.
   */
  redisOptions?: RedisOptions;
  /**
   * How long a command waits for the first connection to become ready before failing with
   * `RedisUnavailableError`. Once a connection has failed, commands fail at once until it is back.
   * Default 2000 ms.
   */
  readyTimeoutMs?: number;
  /**
   * How long `run` waits for an answer before rejecting with `RedisUnavailableError` (a frozen Redis keeps
   * its socket open, so only a timer notices). Default 2000 ms.
   */
  commandTimeoutMs?: number;
}

/** The store could not be reached; callers decide whether to fail open or closed. */
export class RedisUnavailableError extends Error {
  readonly code = 'REDIS_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedisUnavailableError';
  }
}

const DEFAULT_READY_TIMEOUT_MS = 2000;
const DEFAULT_COMMAND_TIMEOUT_MS = 2000;

/** Reconnect forever: Redis coming back must heal every component without a restart. */
const reconnectWithBackoff = (times: number): number => Math.min(times * 100, 2000);

/**
 * One ioredis command connection configured to fail fast: while Redis is down, commands reject at once
 * instead of queueing (a request must not hang on a cache, a limiter or a producer). Reconnects by itself.
 */
export class SharedRedis {
  readonly client: Redis;
  private readonly readyTimeoutMs: number;
  private everReady = false;
  private lastError: Error | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: RedisConnectionOptions & { name: string; log: Logger }) {
    if (options.redisOptions?.keyPrefix)
      throw new TypeError('redisOptions.keyPrefix is not supported; use keyPrefix');
    this.readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    this.client = new Redis(options.url, this.connectionOptions());
    this.watch();
  }

  /** ioredis options for another connection to the same server (used for subscribers and BullMQ workers). */
  connectionOptions(overrides: RedisOptions = {}): RedisOptions {
    return {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      retryStrategy: reconnectWithBackoff,
      connectionName: this.options.name,
      // CLIENT SETINFO fails on Redis < 7.2; it is only metadata.
      disableClientInfo: true,
      // ioredis arms this timer on disconnect even when the socket is already gone; short, it cannot hold
      // a closing process for long.
      disconnectTimeout: 300,
      ...this.options.redisOptions,
      ...overrides,
    };
  }

  /** A new client to the same server with `overrides`; the caller owns and closes it. */
  duplicate(overrides: RedisOptions): Redis {
    return new Redis(this.options.url, this.connectionOptions(overrides));
  }

  /** The URL, for libraries that open their own connections (BullMQ workers). Never log it. */
  get url(): string {
    return this.options.url;
  }

  /**
   * Runs `command` once the client is ready, bounded by `commandTimeoutMs`. Our own timer, not ioredis's
   * `commandTimeout`, which leaves its timer running for every command rejected by an error reply.
   */
  async run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    const client = await this.ready();
    const timeoutMs = this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    return withTimeout(
      command(client),
      timeoutMs,
      () => new RedisUnavailableError(`${this.options.name}: no answer within ${timeoutMs} ms`),
    );
  }

  /**
   * The client once it is ready. Waits (bounded) only for the very first connection; after a failure it
   * throws `RedisUnavailableError` at once until the connection is back.
   */
  async ready(): Promise<Redis> {
    const client = this.client;
    if (this.closing || client.status === 'end') {
      throw new RedisUnavailableError(`${this.options.name}: connection closed`);
    }
    if (client.status === 'ready') return client;
    if (this.everReady || this.lastError) {
      throw new RedisUnavailableError(`${this.options.name}: Redis is not reachable`, {
        cause: this.lastError,
      });
    }
    await this.waitForFirstConnection();
    return client;
  }

  /** Quits gracefully, or drops the socket when Redis is unreachable. Idempotent. */
  close(): Promise<void> {
    this.closing ??= closeClient(this.client);
    return this.closing;
  }

  private watch(): void {
    const { log, name } = this.options;
    this.client.on('ready', () => {
      if (this.lastError || this.everReady) log.info({ connection: name }, 'Redis connection ready');
      this.everReady = true;
      this.lastError = undefined;
    });
    this.client.on('error', (error: Error) => {
      // One line per outage, not one per reconnect attempt.
      if (!this.lastError)
        log.warn({ connection: name, err: describeError(error) }, 'Redis connection error');
      this.lastError = error;
    });
    this.client.on('close', () => {
      if (this.everReady && !this.closing) this.lastError ??= new Error('connection lost');
    });
  }

  private waitForFirstConnection(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        this.client.off('error', onError);
      };
      const onReady = (): void => (cleanup(), resolve());
      const onError = (error: Error): void => {
        cleanup();
        reject(new RedisUnavailableError(`${this.options.name}: Redis is not reachable`, { cause: error }));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new RedisUnavailableError(
            `${this.options.name}: no Redis connection within ${this.readyTimeoutMs} ms`,
          ),
        );
      }, this.readyTimeoutMs);
      this.client.once('ready', onReady);
      this.client.once('error', onError);
    });
  }
}

/** Quits a client gracefully when connected, otherwise drops it, so close() never waits on a dead server. */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

type ScriptFn = (...keysThenArgs: Array<string | number>) => Promise<unknown>;

/**
 * Registers a Lua script on the client (ioredis sends EVALSHA and falls back to EVAL on NOSCRIPT, so a
 * restarted or flushed Redis reloads it) and returns a caller for it.
 */
export function defineScript(client: Redis, name: string, numberOfKeys: number, lua: string): ScriptFn {
  const commands = client as unknown as Record<string, ScriptFn | undefined>;
  if (typeof commands[name] !== 'function') client.defineCommand(name, { numberOfKeys, lua });
  return (...keysThenArgs) => (commands[name] as ScriptFn).apply(client, keysThenArgs);
}

/** Error details safe to log: never the URL or the command arguments. */
export function describeError(error: unknown): { message: string; code?: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { message: error.message, ...(typeof code === 'string' ? { code } : {}) };
}

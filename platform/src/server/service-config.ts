import { env, internalTokenSecretSpec } from '../config';
import { DEFAULT_SERVER_TIMEOUTS, type ServerTimeouts } from './http-shell';

/** The HTTP shell's timeouts, the same variables for every service (gateway and subgraphs). */
export const serverTimeoutSpec = {
  HEADERS_TIMEOUT_MS: env.int({ default: DEFAULT_SERVER_TIMEOUTS.headersTimeoutMs, min: 100, max: 120_000 }),
  REQUEST_TIMEOUT_MS: env.int({ default: DEFAULT_SERVER_TIMEOUTS.requestTimeoutMs, min: 100, max: 600_000 }),
  KEEP_ALIVE_TIMEOUT_MS: env.int({
    default: DEFAULT_SERVER_TIMEOUTS.keepAliveTimeoutMs,
    min: 100,
    max: 600_000,
  }),
  SHUTDOWN_DELAY_MS: env.int({ default: DEFAULT_SERVER_TIMEOUTS.shutdownDelayMs, min: 0, max: 120_000 }),
  SHUTDOWN_TIMEOUT_MS: env.int({ default: DEFAULT_SERVER_TIMEOUTS.shutdownTimeoutMs, min: 0, max: 600_000 }),
} as const;

export function serverTimeouts(raw: Record<keyof typeof serverTimeoutSpec, number>): ServerTimeouts {
  return {
    headersTimeoutMs: raw.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: raw.REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: raw.KEEP_ALIVE_TIMEOUT_MS,
    shutdownDelayMs: raw.SHUTDOWN_DELAY_MS,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
  };
}
import { DEFAULT_MAX_REPRESENTATIONS } from './input-guard';

/**
 * The variables every subgraph reads, with the subgraph's name in the port and database variables so that one
 * environment can configure the whole stack. Spread into a subgraph's own spec in its config.ts.
 */
export function subgraphConfigSpec(name: string, defaultPort: number) {
  const upper = name.toUpperCase();
  return {
    NODE_ENV: env.oneOf(['development', 'test', 'production'] as const, { default: 'development' }),
    LOG_LEVEL: env.oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, {
      default: 'info',
    }),
    [`${upper}_PORT`]: env.port({ default: defaultPort }),
    // Loopback unless told otherwise: a development subgraph is not reachable from the network (compose sets 0.0.0.0).
    HOST: env.string({ default: '127.0.0.1' }),
    INTERNAL_TOKEN_SECRET: internalTokenSecretSpec(),
    DATABASE_URL: env.optionalUrl({ protocols: ['postgresql:', 'postgres:', 'file:'] }),
    [`${upper}_DATABASE_URL`]: env.optionalUrl({ protocols: ['postgresql:', 'postgres:', 'file:'] }),
    REDIS_URL: env.optionalUrl({ protocols: ['redis:', 'rediss:'] }),
    REDIS_KEY_PREFIX: env.string({ default: 'atrium:', pattern: /^[A-Za-z0-9:_.-]{1,64}$/ }),
    ATRIUM_DATA_DIR: env.string({ default: '.data' }),
    ...serverTimeoutSpec,
    MAX_ENTITY_REPRESENTATIONS: env.int({ default: DEFAULT_MAX_REPRESENTATIONS, min: 1, max: 100_000 }),
    OTEL_EXPORTER_OTLP_ENDPOINT: env.optionalUrl({ protocols: ['http:', 'https:'] }),
  } as const;
}

export interface SubgraphRuntimeConfig {
  production: boolean;
  logLevel: string;
  port: number;
  host: string;
  internalSecret: string;
  /** postgresql://… for PostgreSQL; undefined for the embedded SQLite file under `dataDir`. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Prefix of every Redis key, so several deployments (or test runs) can share one Redis. */
  redisKeyPrefix: string;
  dataDir: string;
  timeouts: ServerTimeouts;
  /** Entity representations one request may carry; more get 400 TOO_MANY_REPRESENTATIONS. Default 500. */
  maxRepresentations: number;
  /** OTLP/HTTP collector base URL; spans are exported to `<it>/v1/traces`. Unset: no spans are made. */
  otlpEndpoint: string | undefined;
}

/**
 * Maps the raw variables to the runtime config. `<NAME>_DATABASE_URL` wins; otherwise a PostgreSQL
 * `DATABASE_URL` names the server and each subgraph gets its own database `atrium_<name>` on it.
 */
export function subgraphRuntimeConfig(name: string, raw: Record<string, unknown>): SubgraphRuntimeConfig {
  const upper = name.toUpperCase();
  const own = raw[`${upper}_DATABASE_URL`] as string | undefined;
  const shared = raw.DATABASE_URL as string | undefined;
  return {
    production: raw.NODE_ENV === 'production',
    logLevel: raw.LOG_LEVEL as string,
    port: raw[`${upper}_PORT`] as number,
    host: raw.HOST as string,
    internalSecret: raw.INTERNAL_TOKEN_SECRET as string,
    databaseUrl: own ?? (shared ? databaseUrlFor(shared, name) : undefined),
    redisUrl: raw.REDIS_URL as string | undefined,
    redisKeyPrefix: raw.REDIS_KEY_PREFIX as string,
    dataDir: raw.ATRIUM_DATA_DIR as string,
    timeouts: serverTimeouts(raw as Record<keyof typeof serverTimeoutSpec, number>),
    maxRepresentations: raw.MAX_ENTITY_REPRESENTATIONS as number,
    otlpEndpoint: raw.OTEL_EXPORTER_OTLP_ENDPOINT as string | undefined,
  };
}

function databaseUrlFor(serverUrl: string, name: string): string {
  if (serverUrl.startsWith('file:')) return serverUrl.replace(/\/?$/, `/${name}.sqlite`);
  const url = new URL(serverUrl);
  url.pathname = `/atrium_${name}`;
  return url.toString();
}

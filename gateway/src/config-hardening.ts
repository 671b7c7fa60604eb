import { env, type ConfigOf } from '@atrium/platform/config';
import { MAX_RATE_LIMIT_PER_MINUTE } from '@atrium/platform/rate-limit';
import {
  DEFAULT_MAX_REPRESENTATIONS,
  serverTimeoutSpec,
  serverTimeouts,
  type ServerTimeouts,
} from '@atrium/platform/server';
import type { EntityLimits } from './subgraph/entity-budget';

/**
 * The gateway's protective settings: operation limits, rate limits, per-subgraph resilience and server hygiene.
 * Every variable has a default that is safe for production; docs/gateway.md lists them.
 */
export const hardeningSpec = {
  REDIS_URL: env.optionalUrl({ protocols: ['redis:', 'rediss:'] }),
  REDIS_KEY_PREFIX: env.string({ default: 'atrium:gateway:' }),
  TRUST_PROXY_HOPS: env.int({ default: 0, min: 0, max: 10 }),
  BODY_LIMIT_BYTES: env.int({ default: 256 * 1024, min: 1024, max: 16 * 1024 * 1024 }),
  ...serverTimeoutSpec,
  APQ_CACHE_MAX_BYTES: env.int({ default: 8 * 1024 * 1024, min: 0, max: 1024 * 1024 * 1024 }),
  MAX_DEPTH: env.int({ default: 10, min: 1, max: 100 }),
  MAX_ALIASES: env.int({ default: 15, min: 0, max: 1000 }),
  MAX_DIRECTIVES: env.int({ default: 20, min: 0, max: 1000 }),
  MAX_DIRECTIVES_PER_LOCATION: env.int({ default: 5, min: 1, max: 100 }),
  MAX_DOCUMENT_BYTES: env.int({ default: 32 * 1024, min: 1024, max: 1024 * 1024 }),
  DOCUMENT_CACHE_MAX_BYTES: env.int({ default: 16 * 1024 * 1024, min: 0, max: 1024 * 1024 * 1024 }),
  MAX_TOKENS: env.int({ default: 2000, min: 100, max: 1_000_000 }),
  MAX_COST: env.int({ default: 5000, min: 1, max: 100_000_000 }),
  MAX_INTROSPECTION_DEPTH: env.int({ default: 15, min: 5, max: 100 }),
  COST_DEFAULT_LIST_SIZE: env.int({ default: 10, min: 1, max: 10_000 }),
  MAX_PAGE_SIZE: env.int({ default: 100, min: 1, max: 10_000 }),
  MAX_ENTITY_REPRESENTATIONS: env.int({ default: DEFAULT_MAX_REPRESENTATIONS, min: 1, max: 100_000 }),
  MAX_REQUEST_ENTITY_REPRESENTATIONS: env.int({ default: 2000, min: 1, max: 1_000_000 }),
  RATE_LIMIT_IP_PER_MINUTE: env.int({ max: MAX_RATE_LIMIT_PER_MINUTE, default: 1200, min: 0 }),
  RATE_LIMIT_USER_PER_MINUTE: env.int({ max: MAX_RATE_LIMIT_PER_MINUTE, default: 600, min: 0 }),
  RATE_LIMIT_API_KEY_PER_MINUTE: env.int({ max: MAX_RATE_LIMIT_PER_MINUTE, default: 600, min: 0 }),
  RATE_LIMIT_INTROSPECTION_PER_MINUTE: env.int({ max: MAX_RATE_LIMIT_PER_MINUTE, default: 30, min: 0 }),
  SUBGRAPH_TIMEOUT_MS: env.int({ default: 5000, min: 10, max: 300_000 }),
  REQUEST_DEADLINE_MS: env.int({ default: 10_000, min: 10, max: 600_000 }),
  SUBGRAPH_MAX_SOCKETS: env.int({ default: 128, min: 1, max: 10_000 }),
  SUBGRAPH_MAX_RESPONSE_BYTES: env.int({ default: 16 * 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024 }),
  SUBGRAPH_BREAKER_WINDOW: env.int({ default: 20, min: 1, max: 1000 }),
  SUBGRAPH_BREAKER_MIN_CALLS: env.int({ default: 10, min: 1, max: 1000 }),
  SUBGRAPH_BREAKER_FAILURE_RATE: env.int({ default: 50, min: 1, max: 99 }),
  SUBGRAPH_BREAKER_OPEN_MS: env.int({ default: 10_000, min: 10, max: 600_000 }),
} as const;

/** Limits applied to every operation before planning, over HTTP and graphql-ws alike. */
export interface OperationLimits {
  /** Deepest selection, fragments flattened, introspection excluded. Default 10 (MAX_DEPTH). */
  maxDepth: number;
  /** Aliases per operation, `__typename` included. Default 15 (MAX_ALIASES). */
  maxAliases: number;
  /** Directive uses per operation. Default 20 (MAX_DIRECTIVES). */
  maxDirectives: number;
  /** Directives on any one field, spread, fragment or operation. Default 5 (MAX_DIRECTIVES_PER_LOCATION). */
  maxDirectivesPerLocation: number;
  /**
   * Bytes (UTF-8) of the document text, comments included; larger ones get 413 DOCUMENT_TOO_LARGE before
   * parsing. Default 32 KiB (MAX_DOCUMENT_BYTES): several times the largest operation the console sends.
   */
  maxDocumentBytes: number;
  /** Lexical tokens per document; parsing stops there (400 GRAPHQL_PARSE_FAILED). Default 2000 (MAX_TOKENS). */
  maxTokens: number;
  /** Cost computed with the variables and page sizes (see limits/cost.ts). Default 5000 (MAX_COST). */
  maxCost: number;
  /** Deepest selection under `__schema`/`__type`, fragments flattened. Default 15 (MAX_INTROSPECTION_DEPTH). */
  maxIntrospectionDepth: number;
  /** Items a list field without `first`/`last` is assumed to return. Default 10 (COST_DEFAULT_LIST_SIZE). */
  defaultListSize: number;
  /** Largest page any `first`/`last` is clamped to by the subgraphs. Default 100 (MAX_PAGE_SIZE). */
  maxPageSize: number;
}

/** Requests per minute per key (GCRA: a burst of the whole minute, then a steady refill); 0 turns a limit off. */
export interface RateLimits {
  /** Every request per client IP (IPv6 per /64), counted before the body is read. Default 1200. */
  perIp: number;
  /** Operations per signed-in user. Default 600. */
  perUser: number;
  /** Operations per API key. Default 600. */
  perApiKey: number;
  /** Introspection operations per principal (or IP when anonymous), on top of the others. Default 30. */
  introspection: number;
}

export interface ResilienceSettings {
  /** One subgraph call; the fetch is aborted then and the breaker counts a failure. Default 5000. */
  subgraphTimeoutMs: number;
  /** A whole client request; every subgraph call still running is aborted then. Default 10000. */
  requestDeadlineMs: number;
  /** Keep-alive sockets per subgraph. Default 128. */
  maxSockets: number;
  /** Larger subgraph responses are refused (SUBGRAPH_UNAVAILABLE). Default 16 MiB. */
  maxResponseBytes: number;
  breaker: { window: number; minCalls: number; failureRate: number; openMs: number };
}

export interface ServerSettings extends ServerTimeouts {
  /** Proxies in front of the gateway whose X-Forwarded-For is trusted for the client IP. Default 0. */
  trustProxyHops: number;
  /** Largest JSON body; larger ones get 413 before parsing. Default 256 KiB. */
  bodyLimitBytes: number;
  /** Bound of the automatic-persisted-query cache (LRU by size); 0 turns APQ off. Default 8 MiB. */
  apqCacheMaxBytes: number;
  /**
   * Bound of the parsed-document cache (LRU by the bytes each document retains, its source text included);
   * 0 turns it off. Default 16 MiB (DOCUMENT_CACHE_MAX_BYTES).
   */
  documentCacheMaxBytes: number;
}

export interface HardeningConfig {
  /** Unset: rate limits count in-process (one replica). Set: shared by every replica through Redis. */
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  limits: OperationLimits;
  /** Entity representations sent per fetch and per request, counted at execution time. */
  entityLimits: EntityLimits;
  rateLimits: RateLimits;
  resilience: ResilienceSettings;
  server: ServerSettings;
}

export function hardeningConfig(raw: ConfigOf<typeof hardeningSpec>): HardeningConfig {
  return {
    redisUrl: raw.REDIS_URL,
    redisKeyPrefix: raw.REDIS_KEY_PREFIX,
    limits: {
      maxDepth: raw.MAX_DEPTH,
      maxAliases: raw.MAX_ALIASES,
      maxDirectives: raw.MAX_DIRECTIVES,
      maxDirectivesPerLocation: raw.MAX_DIRECTIVES_PER_LOCATION,
      maxDocumentBytes: raw.MAX_DOCUMENT_BYTES,
      maxTokens: raw.MAX_TOKENS,
      maxCost: raw.MAX_COST,
      maxIntrospectionDepth: raw.MAX_INTROSPECTION_DEPTH,
      defaultListSize: raw.COST_DEFAULT_LIST_SIZE,
      maxPageSize: raw.MAX_PAGE_SIZE,
    },
    entityLimits: {
      perFetch: raw.MAX_ENTITY_REPRESENTATIONS,
      perRequest: raw.MAX_REQUEST_ENTITY_REPRESENTATIONS,
    },
    rateLimits: {
      perIp: raw.RATE_LIMIT_IP_PER_MINUTE,
      perUser: raw.RATE_LIMIT_USER_PER_MINUTE,
      perApiKey: raw.RATE_LIMIT_API_KEY_PER_MINUTE,
      introspection: raw.RATE_LIMIT_INTROSPECTION_PER_MINUTE,
    },
    resilience: {
      subgraphTimeoutMs: raw.SUBGRAPH_TIMEOUT_MS,
      requestDeadlineMs: raw.REQUEST_DEADLINE_MS,
      maxSockets: raw.SUBGRAPH_MAX_SOCKETS,
      maxResponseBytes: raw.SUBGRAPH_MAX_RESPONSE_BYTES,
      breaker: {
        window: raw.SUBGRAPH_BREAKER_WINDOW,
        minCalls: Math.min(raw.SUBGRAPH_BREAKER_MIN_CALLS, raw.SUBGRAPH_BREAKER_WINDOW),
        failureRate: raw.SUBGRAPH_BREAKER_FAILURE_RATE,
        openMs: raw.SUBGRAPH_BREAKER_OPEN_MS,
      },
    },
    server: {
      trustProxyHops: raw.TRUST_PROXY_HOPS,
      bodyLimitBytes: raw.BODY_LIMIT_BYTES,
      ...serverTimeouts(raw),
      apqCacheMaxBytes: raw.APQ_CACHE_MAX_BYTES,
      documentCacheMaxBytes: raw.DOCUMENT_CACHE_MAX_BYTES,
    },
  };
}

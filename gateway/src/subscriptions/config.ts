import { env, type ConfigOf } from '@atrium/platform/config';
import type { UpstreamSettings } from './upstream';

/** The subscription engine's variables (docs/gateway.md, "Subscriptions"). */
export const subscriptionSpec = {
  SUBSCRIPTION_INIT_TIMEOUT_MS: env.int({ default: 3000, min: 100, max: 60_000 }),
  SUBSCRIPTION_KEEPALIVE_MS: env.int({ default: 12_000, min: 100, max: 300_000 }),
  SUBSCRIPTION_MAX_PAYLOAD_BYTES: env.int({ default: 64 * 1024, min: 1024, max: 16 * 1024 * 1024 }),
  SUBSCRIPTION_MAX_BUFFERED_BYTES: env.int({ default: 1024 * 1024, min: 16 * 1024, max: 256 * 1024 * 1024 }),
  SUBSCRIPTION_MAX_TOTAL: env.int({ default: 20_000, min: 1, max: 1_000_000 }),
  SUBSCRIPTION_MAX_PER_CONNECTION: env.int({ default: 100, min: 1, max: 10_000 }),
  SUBSCRIPTION_MAX_PER_USER: env.int({ default: 500, min: 1, max: 100_000 }),
  SUBSCRIPTION_CREDENTIAL_RECHECK_MS: env.int({ default: 30_000, min: 50, max: 3_600_000 }),
  SUBSCRIPTION_QUEUE_CAPACITY: env.int({ default: 256, min: 1, max: 100_000 }),
  SUBSCRIPTION_UPSTREAM_RETRIES: env.int({ default: 5, min: 0, max: 100 }),
  SUBSCRIPTION_UPSTREAM_RETRY_BASE_MS: env.int({ default: 250, min: 10, max: 60_000 }),
  SUBSCRIPTION_UPSTREAM_ACK_TIMEOUT_MS: env.int({ default: 5000, min: 100, max: 120_000 }),
  SUBSCRIPTION_UPSTREAM_KEEPALIVE_MS: env.int({ default: 10_000, min: 100, max: 300_000 }),
  SUBSCRIPTION_UPSTREAM_PONG_TIMEOUT_MS: env.int({ default: 5000, min: 100, max: 300_000 }),
  SUBSCRIPTION_UPSTREAM_LAZY_CLOSE_MS: env.int({ default: 3000, min: 0, max: 600_000 }),
} as const;

export interface SubscriptionSettings {
  /** No `connection_init` within this: close 4408. Default 3000. */
  initTimeoutMs: number;
  /** WebSocket ping interval to clients; a client without a pong by the next ping is dropped. Default 12 s. */
  keepAliveMs: number;
  /** Largest client message; larger ones close the socket with 1009. Default 64 KiB. */
  maxPayloadBytes: number;
  /** Unsent bytes a client socket may hold before it counts as not reading and is dropped. Default 1 MiB. */
  maxBufferedBytes: number;
  /** Subscriptions served by this gateway at once. Default 20 000. */
  maxTotal: number;
  /** Subscriptions per client connection. Default 100. */
  maxPerConnection: number;
  /** Subscriptions per user or API key, over all its connections. Default 500. */
  maxPerUser: number;
  /** An API-key connection's key is verified again this often; a refused key ends its subscriptions. */
  credentialRecheckMs: number;
  /** Events waiting per subscriber before it is resynchronised from a fresh snapshot. Default 256. */
  queueCapacity: number;
  upstream: UpstreamSettings;
}

export function subscriptionSettings(raw: ConfigOf<typeof subscriptionSpec>): SubscriptionSettings {
  return {
    initTimeoutMs: raw.SUBSCRIPTION_INIT_TIMEOUT_MS,
    keepAliveMs: raw.SUBSCRIPTION_KEEPALIVE_MS,
    maxPayloadBytes: raw.SUBSCRIPTION_MAX_PAYLOAD_BYTES,
    maxBufferedBytes: raw.SUBSCRIPTION_MAX_BUFFERED_BYTES,
    maxTotal: raw.SUBSCRIPTION_MAX_TOTAL,
    maxPerConnection: raw.SUBSCRIPTION_MAX_PER_CONNECTION,
    maxPerUser: raw.SUBSCRIPTION_MAX_PER_USER,
    credentialRecheckMs: raw.SUBSCRIPTION_CREDENTIAL_RECHECK_MS,
    queueCapacity: raw.SUBSCRIPTION_QUEUE_CAPACITY,
    upstream: {
      retryAttempts: raw.SUBSCRIPTION_UPSTREAM_RETRIES,
      retryBaseMs: raw.SUBSCRIPTION_UPSTREAM_RETRY_BASE_MS,
      ackTimeoutMs: raw.SUBSCRIPTION_UPSTREAM_ACK_TIMEOUT_MS,
      keepAliveMs: raw.SUBSCRIPTION_UPSTREAM_KEEPALIVE_MS,
      pongTimeoutMs: raw.SUBSCRIPTION_UPSTREAM_PONG_TIMEOUT_MS,
      lazyCloseMs: raw.SUBSCRIPTION_UPSTREAM_LAZY_CLOSE_MS,
    },
  };
}

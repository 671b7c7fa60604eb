import { env, loadConfig } from '@atrium/platform/config';
import {
  subgraphConfigSpec,
  subgraphRuntimeConfig,
  type SubgraphRuntimeConfig,
} from '@atrium/platform/server';
import type { AlertRulesConfig } from './alert/rules';
import type { WebhookSettings } from './alert/webhook-sender';
import type { ProbeTarget } from './status/probe';

const DEFAULT_TARGETS = [
  'gateway=http://127.0.0.1:4000',
  'identity=http://127.0.0.1:4001',
  'integrations=http://127.0.0.1:4002',
  'generation=http://127.0.0.1:4003',
  'monitoring=http://127.0.0.1:4004',
];

const seconds = (fallback: number) => env.int({ default: fallback, min: 0, max: 7 * 24 * 3600 });

export const monitoringConfigSpec = {
  ...subgraphConfigSpec('monitoring', 4004),
  MONITORING_TARGETS: env.list({ default: DEFAULT_TARGETS }),
  MONITORING_PROBE_TIMEOUT_MS: env.int({ default: 2000, min: 50, max: 30_000 }),
  MONITORING_POLL_INTERVAL_MS: env.int({ default: 5000, min: 100, max: 300_000 }),
  MONITORING_ALERT_SERVICE_DOWN_SECONDS: seconds(30),
  MONITORING_ALERT_BREAKER_OPEN_SECONDS: seconds(60),
  MONITORING_ALERT_QUEUE_WAIT_SECONDS: seconds(300),
  MONITORING_ALERT_ERROR_RATE_PERCENT: env.int({ default: 5, min: 0, max: 100 }),
  MONITORING_ALERT_ERROR_RATE_MIN_OPERATIONS: env.int({ default: 20, min: 1, max: 1_000_000 }),
  MONITORING_ALERT_WINDOW_SECONDS: env.int({ default: 300, min: 1, max: 24 * 3600 }),
  MONITORING_ALERT_REFRESH_REUSE_COUNT: env.int({ default: 3, min: 0, max: 1_000_000 }),
  MONITORING_ALERT_SIGN_IN_FAILURE_COUNT: env.int({ default: 50, min: 0, max: 1_000_000 }),
  MONITORING_ALERT_WEBHOOK_URL: env.optionalUrl({ protocols: ['http:', 'https:'] }),
  MONITORING_ALERT_WEBHOOK_SECRET: env.optionalString(),
  MONITORING_ALERT_WEBHOOK_ATTEMPTS: env.int({ default: 5, min: 1, max: 20 }),
};

export interface MonitoringConfig extends SubgraphRuntimeConfig {
  /** Services whose `/status` makes up the system status, as `name=baseUrl` pairs in MONITORING_TARGETS. */
  targets: readonly ProbeTarget[];
  probeTimeoutMs: number;
  pollIntervalMs: number;
  rules: AlertRulesConfig;
  /** Where alert transitions are POSTed, signed; undefined: no webhook. */
  webhook: WebhookSettings | undefined;
}

export function loadMonitoringConfig(source: Record<string, string | undefined>): MonitoringConfig {
  const raw = loadConfig(monitoringConfigSpec, source);
  return Object.freeze({
    ...subgraphRuntimeConfig('monitoring', raw),
    targets: raw.MONITORING_TARGETS.map(parseTarget),
    probeTimeoutMs: raw.MONITORING_PROBE_TIMEOUT_MS,
    pollIntervalMs: raw.MONITORING_POLL_INTERVAL_MS,
    rules: {
      serviceDownSeconds: raw.MONITORING_ALERT_SERVICE_DOWN_SECONDS,
      breakerOpenSeconds: raw.MONITORING_ALERT_BREAKER_OPEN_SECONDS,
      queueWaitSeconds: raw.MONITORING_ALERT_QUEUE_WAIT_SECONDS,
      errorRatePercent: raw.MONITORING_ALERT_ERROR_RATE_PERCENT,
      errorRateMinOperations: raw.MONITORING_ALERT_ERROR_RATE_MIN_OPERATIONS,
      windowSeconds: raw.MONITORING_ALERT_WINDOW_SECONDS,
      refreshTokenReuseCount: raw.MONITORING_ALERT_REFRESH_REUSE_COUNT,
      signInFailureCount: raw.MONITORING_ALERT_SIGN_IN_FAILURE_COUNT,
    },
    webhook: webhookSettings(
      raw.MONITORING_ALERT_WEBHOOK_URL,
      raw.MONITORING_ALERT_WEBHOOK_SECRET,
      raw.MONITORING_ALERT_WEBHOOK_ATTEMPTS,
    ),
  });
}

function webhookSettings(
  url: string | undefined,
  secret: string | undefined,
  attempts: number,
): WebhookSettings | undefined {
  if (!url) return undefined;
  if (!secret || secret.length < 32) {
    throw new Error(
      'MONITORING_ALERT_WEBHOOK_SECRET: required with MONITORING_ALERT_WEBHOOK_URL; expected at least 32 characters (the receiver verifies the HMAC-SHA256 signature with it)',
    );
  }
  return { url, secret, attempts, backoffMs: 1000 };
}

function parseTarget(pair: string): ProbeTarget {
  const [name, url] = pair.split('=', 2);
  if (!name || !url || !/^https?:\/\//.test(url)) {
    throw new Error(
      `MONITORING_TARGETS: "${pair}" is not name=http(s)://host:port (e.g. identity=http://127.0.0.1:4001)`,
    );
  }
  return { name, url };
}

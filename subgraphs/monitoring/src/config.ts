import { env, loadConfig } from '@atrium/platform/config';
import {
  subgraphConfigSpec,
  subgraphRuntimeConfig,
  type SubgraphRuntimeConfig,
} from '@atrium/platform/server';
import type { ProbeTarget } from './status/health-prober';

const DEFAULT_TARGETS = [
  'gateway=http://127.0.0.1:4000',
  'identity=http://127.0.0.1:4001',
  'integrations=http://127.0.0.1:4002',
  'generation=http://127.0.0.1:4003',
  'monitoring=http://127.0.0.1:4004',
];

export const monitoringConfigSpec = {
  ...subgraphConfigSpec('monitoring', 4004),
  MONITORING_TARGETS: env.list({ default: DEFAULT_TARGETS }),
  MONITORING_PROBE_TIMEOUT_MS: env.int({ default: 2000, min: 100, max: 30_000 }),
};

export interface MonitoringConfig extends SubgraphRuntimeConfig {
  /** Services whose `/readyz` makes up the system status, as `name=baseUrl` pairs in MONITORING_TARGETS. */
  targets: readonly ProbeTarget[];
  probeTimeoutMs: number;
}

export function loadMonitoringConfig(source: Record<string, string | undefined>): MonitoringConfig {
  const raw = loadConfig(monitoringConfigSpec, source);
  return Object.freeze({
    ...subgraphRuntimeConfig('monitoring', raw),
    targets: raw.MONITORING_TARGETS.map(parseTarget),
    probeTimeoutMs: raw.MONITORING_PROBE_TIMEOUT_MS,
  });
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

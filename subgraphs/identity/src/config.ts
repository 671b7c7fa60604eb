import { loadConfig } from '@atrium/platform/config';
import {
  subgraphConfigSpec,
  subgraphRuntimeConfig,
  type SubgraphRuntimeConfig,
} from '@atrium/platform/server';

const spec = subgraphConfigSpec('identity', 4001);

export type IdentityConfig = SubgraphRuntimeConfig;

export function loadIdentityConfig(source: Record<string, string | undefined>): IdentityConfig {
  return Object.freeze(subgraphRuntimeConfig('identity', loadConfig(spec, source)));
}

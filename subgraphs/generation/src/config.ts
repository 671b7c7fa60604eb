import { loadConfig } from '@atrium/platform/config';
import {
  subgraphConfigSpec,
  subgraphRuntimeConfig,
  type SubgraphRuntimeConfig,
} from '@atrium/platform/server';

const spec = subgraphConfigSpec('generation', 4003);

export type GenerationConfig = SubgraphRuntimeConfig;

export function loadGenerationConfig(source: Record<string, string | undefined>): GenerationConfig {
  return Object.freeze(subgraphRuntimeConfig('generation', loadConfig(spec, source)));
}

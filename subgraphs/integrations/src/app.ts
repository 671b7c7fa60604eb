import type { EntityManager } from '@mikro-orm/core';
import type { SubgraphResources } from '@atrium/platform/server';
import type { IntegrationsConfig } from './config';

/**
 * What integrations' use cases share, built once per process from the opened resources. Resolvers reach it as
 * `ctx.app`; new services are added here with their dependencies passed explicitly.
 */
export interface IntegrationsApp {
  readonly resources: SubgraphResources;
  readonly config: IntegrationsConfig;
  /** Provider ids whose OAuth client credentials this deployment holds. */
  readonly oauthClients: ReadonlySet<string>;
  fork(): EntityManager;
}

export function createIntegrationsApp(
  resources: SubgraphResources,
  config: IntegrationsConfig,
): IntegrationsApp {
  return {
    resources,
    config,
    oauthClients: new Set(config.oauthClients.keys()),
    fork: () => resources.db.fork(),
  };
}

import type { EntityManager } from '@mikro-orm/core';
import type { RuntimeContextInput } from '@atrium/platform/server';
import { createConnectionLoader } from './connection/connection.loader';

export interface IntegrationsContext extends RuntimeContextInput {
  em: EntityManager;
  loaders: { connection: ReturnType<typeof createConnectionLoader> };
  /** Provider ids whose OAuth client credentials this deployment holds. */
  oauthClients: ReadonlySet<string>;
}

export function buildContext(
  input: RuntimeContextInput,
  oauthClients: ReadonlySet<string>,
): IntegrationsContext {
  return { ...input, loaders: { connection: createConnectionLoader(input.em) }, oauthClients };
}

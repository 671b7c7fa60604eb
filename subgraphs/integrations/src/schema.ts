import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@atrium/platform/federation';
import { Connection } from './connection/connection.entity';
import { resolveConnectionReference } from './connection/connection.reference';
import { IntegrationProviderResolver } from './provider/provider.resolver';

/** The integrations subgraph's schema. No I/O: `schema/` prints its SDL without a database. */
export function buildIntegrationsSchema(): GraphQLSchema {
  return buildFederatedSchema(
    { resolvers: [IntegrationProviderResolver], orphanedTypes: [Connection] },
    { Connection: { __resolveReference: resolveConnectionReference as never } },
  );
}

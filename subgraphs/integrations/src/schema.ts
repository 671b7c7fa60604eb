import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@atrium/platform/federation';
import { Connection } from './connection/connection.entity';
import { resolveConnectionReference } from './connection/connection.reference';
import { ConnectionResolver } from './connection/connection.resolver';
import { IntegrationProviderResolver } from './provider/provider.resolver';
import { UserResolver } from './user/user.resolver';
import { resolveUserReference } from './user/user.type';

/** The integrations subgraph's schema. No I/O: `schema/` prints its SDL without a database. */
export function buildIntegrationsSchema(): GraphQLSchema {
  return buildFederatedSchema(
    {
      resolvers: [IntegrationProviderResolver, ConnectionResolver, UserResolver],
      orphanedTypes: [Connection],
    },
    {
      Connection: { __resolveReference: resolveConnectionReference as never },
      User: { __resolveReference: resolveUserReference as never },
    },
  );
}

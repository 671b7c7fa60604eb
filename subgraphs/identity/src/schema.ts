import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@atrium/platform/federation';
import { User } from './user/user.entity';
import { resolveUserReference } from './user/user.reference';
import { UserResolver } from './user/user.resolver';

/** The identity subgraph's schema. No I/O: `schema/` prints its SDL without a database. */
export function buildIdentitySchema(): GraphQLSchema {
  return buildFederatedSchema(
    { resolvers: [UserResolver], orphanedTypes: [User] },
    { User: { __resolveReference: resolveUserReference as never } },
  );
}

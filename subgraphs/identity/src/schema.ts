import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@atrium/platform/federation';
import { ApiKeyResolver } from './api-key/api-key.resolver';
import { AuditEventResolver } from './audit/audit.resolver';
import { AuthResolver } from './auth/auth.resolver';
import { TotpResolver } from './mfa/totp.resolver';
import { SessionResolver } from './session/session.resolver';
import { User } from './user/user.entity';
import { resolveUserReference } from './user/user.reference';
import { UserResolver } from './user/user.resolver';

/** The identity subgraph's schema. No I/O: `schema/` prints its SDL without a database. */
export function buildIdentitySchema(): GraphQLSchema {
  return buildFederatedSchema(
    {
      resolvers: [
        UserResolver,
        AuthResolver,
        SessionResolver,
        TotpResolver,
        ApiKeyResolver,
        AuditEventResolver,
      ],
      orphanedTypes: [User],
    },
    { User: { __resolveReference: resolveUserReference as never } },
  );
}

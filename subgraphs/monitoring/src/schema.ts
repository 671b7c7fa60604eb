import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@atrium/platform/federation';
import { Alert } from './alert/alert.entity';
import { resolveAlertReference } from './alert/alert.reference';
import { AlertResolver } from './alert/alert.resolver';
import { SystemStatusResolver } from './status/system-status.resolver';

/** The monitoring subgraph's schema. No I/O: `schema/` prints its SDL without a database. */
export function buildMonitoringSchema(): GraphQLSchema {
  return buildFederatedSchema(
    { resolvers: [SystemStatusResolver, AlertResolver], orphanedTypes: [Alert] },
    { Alert: { __resolveReference: resolveAlertReference as never } },
  );
}

import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@atrium/platform/federation';
import { GenerationEventResolver } from './events/generation-event.resolver';
import { GenerationJob } from './generation-job/generation-job.entity';
import { resolveGenerationJobReference } from './generation-job/generation-job.reference';
import { GenerationJobResolver } from './generation-job/generation-job.resolver';
import { ModelProviderResolver } from './model-router/model-provider.resolver';
import { GenerationJobOwnerResolver, resolveUserReference, UserResolver } from './user/user.resolver';

/** The generation subgraph's schema. No I/O: `schema/` prints its SDL without a database. */
export function buildGenerationSchema(): GraphQLSchema {
  return buildFederatedSchema(
    {
      resolvers: [
        GenerationJobResolver,
        GenerationJobOwnerResolver,
        GenerationEventResolver,
        ModelProviderResolver,
        UserResolver,
      ],
      orphanedTypes: [GenerationJob],
    },
    {
      GenerationJob: { __resolveReference: resolveGenerationJobReference as never },
      User: { __resolveReference: resolveUserReference as never },
    },
  );
}

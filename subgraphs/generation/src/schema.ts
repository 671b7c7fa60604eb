import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@atrium/platform/federation';
import { GenerationJob } from './generation-job/generation-job.entity';
import { resolveGenerationJobReference } from './generation-job/generation-job.reference';
import { ModelProviderResolver } from './model-router/model-provider.resolver';

/** The generation subgraph's schema. No I/O: `schema/` prints its SDL without a database. */
export function buildGenerationSchema(): GraphQLSchema {
  return buildFederatedSchema(
    { resolvers: [ModelProviderResolver], orphanedTypes: [GenerationJob] },
    { GenerationJob: { __resolveReference: resolveGenerationJobReference as never } },
  );
}

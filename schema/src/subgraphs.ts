import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildGenerationSchema } from '@atrium/subgraph-generation/schema';
import { buildIdentitySchema } from '@atrium/subgraph-identity/schema';
import { buildIntegrationsSchema } from '@atrium/subgraph-integrations/schema';
import { buildMonitoringSchema } from '@atrium/subgraph-monitoring/schema';

export interface SubgraphSource {
  name: string;
  /** Routing URL written into the supergraph; the gateway overrides it from its configuration. */
  url: string;
  build: () => GraphQLSchema;
}

/** Every subgraph of the graph, in the order of their default ports. */
export const SUBGRAPHS: readonly SubgraphSource[] = [
  { name: 'identity', url: 'http://127.0.0.1:4001/graphql', build: buildIdentitySchema },
  { name: 'integrations', url: 'http://127.0.0.1:4002/graphql', build: buildIntegrationsSchema },
  { name: 'generation', url: 'http://127.0.0.1:4003/graphql', build: buildGenerationSchema },
  { name: 'monitoring', url: 'http://127.0.0.1:4004/graphql', build: buildMonitoringSchema },
];

export {
  createSubgraphServer,
  GRAPHQL_PATH,
  type BaseContext,
  type SubgraphServer,
  type SubgraphServerOptions,
} from './subgraph-server';
export {
  createSubgraphRuntime,
  type RuntimeContextInput,
  type SubgraphRuntime,
  type SubgraphRuntimeOptions,
} from './subgraph-runtime';
export { subgraphConfigSpec, subgraphRuntimeConfig, type SubgraphRuntimeConfig } from './service-config';
export { runService, configOrExit, packageVersion } from './run-service';
export { errorBody, jsonErrorHandler, notFound } from './http-errors';
export { applyServerTimeouts } from './timeouts';
export { startSubscriptionServer, type SubscriptionServer } from './subscriptions';
export {
  attachGraphqlWs,
  type GraphqlWsTransport,
  type GraphqlWsTransportOptions,
  type SocketExtra,
} from './graphql-ws-transport';

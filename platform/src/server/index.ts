export {
  createHttpShell,
  DEFAULT_SERVER_TIMEOUTS,
  type HttpShell,
  type HttpShellOptions,
  type Listening,
  type ServerTimeouts,
} from './http-shell';
export {
  openInfrastructure,
  openSubgraphResources,
  buildOn,
  type Resources,
  type SubgraphResources,
} from './resources';
export {
  prepareGraphQL,
  serveGraphQL,
  GRAPHQL_PATH,
  type GraphQLOptions,
  type PreparedGraphQL,
} from './graphql';
export {
  createSubgraphServer,
  type BaseContext,
  type SubgraphServer,
  type SubgraphServerOptions,
} from './subgraph-server';
export {
  startSubgraph,
  type StartDeps,
  type SubgraphDefinition,
  type SubgraphStartConfig,
} from './start-subgraph';
export {
  serverTimeoutSpec,
  serverTimeouts,
  subgraphConfigSpec,
  subgraphRuntimeConfig,
  type SubgraphRuntimeConfig,
} from './service-config';
export { runService, configOrExit, packageVersion, type Service } from './run-service';
export { errorBody, jsonErrorHandler, notFound } from './http-errors';
export { inOrder, notARead, unless } from './layers';
export {
  checkOperationInput,
  DEFAULT_MAX_REPRESENTATIONS,
  inputGuardErrors,
  inputGuardPlugin,
  textProblem,
} from './input-guard';
export { startSubscriptionServer, type SubscriptionServer } from './subscriptions';
export {
  attachGraphqlWs,
  type GraphqlWsTransport,
  type GraphqlWsTransportOptions,
  type SocketExtra,
} from './graphql-ws-transport';
export { requestIdOf, requestIdPlugin, tagRequestId } from './request-ids';

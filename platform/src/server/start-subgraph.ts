import type { Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { DatabaseOptions } from '../database';
import type { Logger } from '../logging';
import { buildOn, openSubgraphResources, type SubgraphResources } from './resources';
import type { SubgraphRuntimeConfig } from './service-config';
import {
  createSubgraphServer,
  processShell,
  serverOf,
  type BaseContext,
  type SubgraphServer,
  type SubgraphServerOptions,
} from './subgraph-server';

/** The part of a subgraph's config the shared start reads (every `load<Name>Config` result has it). */
export type SubgraphStartConfig = Pick<
  SubgraphRuntimeConfig,
  | 'databaseUrl'
  | 'dataDir'
  | 'redisUrl'
  | 'redisKeyPrefix'
  | 'internalSecret'
  | 'timeouts'
  | 'maxRepresentations'
  | 'otlpEndpoint'
>;

/** What a process is given: its config, its logger and any options of its own (a test clock, say). */
export type StartDeps<Config, Options> = { config: Config; log: Logger } & Options;

/**
 * What is a subgraph's own; `startSubgraph` does the rest (open, build, serve, stop) the same way for all.
 * `Options` are the extra start options its callers may pass (a clock, a catalogue), handed to `app`/`started`.
 */
export interface SubgraphDefinition<
  Config extends SubgraphStartConfig,
  App extends object,
  Options = object,
> {
  /** The database name, the Redis key prefix (`<prefix><name>:`) and the audience of gateway assertions. */
  name: string;
  /** The service name in health reports and metric labels when it is not `name` (a worker process). */
  service?: string;
  /** The package version for health reports: `packageVersion(__dirname)`. */
  version: string;
  /** The subgraph's tables. */
  database: Pick<DatabaseOptions, 'entities' | 'migrations'>;
  /** Builds the app (every service, with its dependencies) once per process on what was opened. */
  app(resources: SubgraphResources, deps: StartDeps<Config, Options>): App | Promise<App>;
  /** The GraphQL API served on the app; without it the process serves health and metrics only (a worker). */
  graphql?: {
    schema(): GraphQLSchema;
    permissions: SubgraphServerOptions<object, App>['permissions'];
    /** The context of one operation (usually `{ ...base, app, em, loaders }`). */
    context(base: BaseContext, app: App): object;
    /** Open routes of its own (JWKS, webhooks, callbacks), mounted before the assertion guard. */
    routes?(express: Express, app: App, log: Logger): void;
  };
  /** Once served: its own health entries and metrics, then its background work. A failure stops everything. */
  started?(server: SubgraphServer<App>, deps: StartDeps<Config, Options>): void | Promise<void>;
}

/**
 * The one start of every subgraph process (API or worker): opens its database and infrastructure, builds its
 * app on them, serves it on the platform shell, runs `started`. A failure at any step closes what was opened;
 * `stop()` drains HTTP, then closes the app, then the resources.
 */
export async function startSubgraph<Config extends SubgraphStartConfig, App extends object, Options>(
  definition: SubgraphDefinition<Config, App, Options>,
  deps: StartDeps<Config, Options>,
): Promise<SubgraphServer<App>> {
  const { config, log } = deps;
  const resources = await openSubgraphResources(definition.name, config, log, definition.database);
  const server = await buildOn(resources, async () =>
    serve(definition, resources, await definition.app(resources, deps), deps),
  );
  try {
    await definition.started?.(server, deps);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function serve<Config extends SubgraphStartConfig, App extends object, Options>(
  definition: SubgraphDefinition<Config, App, Options>,
  resources: SubgraphResources,
  app: App,
  { config, log }: StartDeps<Config, Options>,
): Promise<SubgraphServer<App>> {
  const { graphql } = definition;
  const common = {
    version: definition.version,
    log,
    timeouts: config.timeouts,
    resources,
    app,
    otlpEndpoint: config.otlpEndpoint,
  };
  if (!graphql) {
    return serverOf(processShell({ ...common, name: definition.service ?? definition.name }), app);
  }
  return createSubgraphServer({
    ...common,
    name: definition.name,
    schema: graphql.schema(),
    permissions: graphql.permissions,
    internalSecret: config.internalSecret,
    maxRepresentations: config.maxRepresentations,
    context: (base) => graphql.context(base, app),
    routes: (express) => graphql.routes?.(express, app, log),
  });
}

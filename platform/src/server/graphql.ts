import { ApolloServer, type ApolloServerOptions, type BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware, type ExpressContextFunctionArgument } from '@as-integrations/express5';
import express, { type RequestHandler } from 'express';
import type { Logger } from '../logging';
import type { HttpShell } from './http-shell';
import { inOrder } from './layers';
import { operationLogPlugin, type OperationLogOptions } from './operation-log';

export const GRAPHQL_PATH = '/graphql';

export interface GraphQLOptions<Ctx extends BaseContext> {
  /** Apollo's own options (schema or gateway, error formatting, limits); the shared defaults are added. */
  apollo: ApolloServerOptions<Ctx>;
  log: Logger;
  /**
   * Handlers that run before the body is read (assertion guard, CORS, IP rate limit). They run as one router
   * layer with the rest of the chain, so one that rewrites `req.url` does not re-route the request.
   */
  before?: RequestHandler[];
  /** Handlers that run on the parsed body, before Apollo (document size checks). */
  after?: RequestHandler[];
  /** Largest JSON body; larger bodies get 413 before parsing. */
  bodyLimit: string | number;
  context: (args: ExpressContextFunctionArgument) => Promise<Ctx>;
  /** The per-operation `graphql operation` line (see operationLogPlugin). Default: every operation at info. */
  operationLog?: OperationLogOptions;
}

export interface PreparedGraphQL<Ctx extends BaseContext> {
  /** Built, not started: parts that execute operations themselves (a WebSocket engine) may hold it already. */
  readonly apollo: ApolloServer<Ctx>;
  /** Starts Apollo (loading the schema) and mounts it at `/graphql`; the shell stops it after HTTP drained. */
  serve(): Promise<void>;
}

/**
 * Apollo Server 5 on the shell's express app at `/graphql`, the same way in the gateway and every subgraph:
 * no landing page, no stack traces, metrics per operation, and stopped by the shell after HTTP drained.
 * Routes mounted on the shell before `serve()` come before `/graphql`.
 */
export function prepareGraphQL<Ctx extends BaseContext>(
  shell: HttpShell,
  options: GraphQLOptions<Ctx>,
): PreparedGraphQL<Ctx> {
  const apollo = new ApolloServer<Ctx>({
    includeStacktraceInErrorResponses: false,
    ...options.apollo,
    // runService owns SIGTERM (readiness, drain, exit 0); Apollo's own handler would re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      shell.metrics.apolloPlugin(),
      operationLogPlugin(options.log, options.operationLog),
      ...(options.apollo.plugins ?? []),
    ],
    logger: options.log,
  } as ApolloServerOptions<Ctx>);
  return {
    apollo,
    serve: async () => {
      await apollo.start();
      shell.onRelease(() => apollo.stop());
      // One router layer for the whole chain: express would otherwise match the path, strip and restore the
      // mount prefix once per handler on every request.
      shell.express.use(
        GRAPHQL_PATH,
        inOrder([
          ...(options.before ?? []),
          express.json({ limit: options.bodyLimit }),
          ...(options.after ?? []),
          expressMiddleware(apollo, { context: options.context }),
        ]),
      );
    },
  };
}

/** `prepareGraphQL` and `serve()` in one step, for servers nothing else needs the Apollo instance of first. */
export async function serveGraphQL<Ctx extends BaseContext>(
  shell: HttpShell,
  options: GraphQLOptions<Ctx>,
): Promise<ApolloServer<Ctx>> {
  const graphql = prepareGraphQL(shell, options);
  await graphql.serve();
  return graphql.apollo;
}

import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { INTERNAL_ASSERTION_HEADER, verifyInternalAssertion, type GatewayCaller } from '../auth';
import type { Logger } from '../logging';

export interface SubscriptionServer {
  /** Closes every socket with 1001 (going away) and stops accepting new ones. */
  dispose(): Promise<void>;
}

/**
 * graphql-ws on the subgraph's own HTTP server and path. Only the gateway may connect: its assertion travels
 * in `connection_init` and is checked before the ack (4403 otherwise), exactly as HTTP requests are.
 */
export function startSubscriptionServer<Ctx>(options: {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  audience: string;
  secret: string;
  log: Logger;
  context: (caller: GatewayCaller) => Promise<Ctx> | Ctx;
}): SubscriptionServer {
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: 256 * 1024,
  });
  const callers = new WeakMap<object, GatewayCaller>();
  const cleanup = useServer(
    {
      schema: options.schema,
      connectionInitWaitTimeout: 3_000,
      onConnect: async (ctx) => {
        const token = ctx.connectionParams?.[INTERNAL_ASSERTION_HEADER];
        if (typeof token !== 'string') return false;
        try {
          callers.set(ctx.extra, await verifyInternalAssertion(token, options));
          return true;
        } catch {
          return false;
        }
      },
      context: async (ctx) => options.context(callers.get(ctx.extra)!) as Record<string, unknown>,
    },
    wsServer,
  );
  return {
    dispose: async () => {
      for (const client of wsServer.clients) client.close(1001, 'Going away');
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

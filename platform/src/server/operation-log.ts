import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../logging';

// Operation names are chosen by clients: only a GraphQL name of reasonable length reaches the log as it is.
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

export interface OperationLogOptions {
  /**
   * Level of a query that succeeded within `slowMs`. Default 'info' (the gateway: its line is the access log).
   * A subgraph passes 'debug': the gateway's line already records the read under the same correlation id, and one
   * synchronous line per read in every process was ≈3 % of a subgraph's CPU under load. Mutations, subscriptions,
   * operations with errors and slow ones are always logged at info.
   */
  readsLevel?: 'info' | 'debug';
  /** A read slower than this is logged at info whatever `readsLevel` says. Default 1000 ms. */
  slowMs?: number;
}

/**
 * One line per GraphQL operation over HTTP — `graphql operation` with its name, type, duration and error codes —
 * written through the request's logger, so it carries the correlation id: the line that shows a request reached
 * this process. Nothing of the document or variables is logged.
 */
export function operationLogPlugin(log: Logger, options: OperationLogOptions = {}): ApolloServerPlugin {
  const quietReads = options.readsLevel === 'debug';
  const slowNs = BigInt(Math.round((options.slowMs ?? 1000) * 1e6));
  return {
    async requestDidStart({ request, contextValue }) {
      const started = process.hrtime.bigint();
      // The request's own child logger where the context has one (the gateway keeps no AsyncLocalStorage).
      const requestLog = (contextValue as { log?: Logger }).log ?? log;
      return {
        async willSendResponse({ operation, operationName, errors }) {
          const elapsed = process.hrtime.bigint() - started;
          const type = operation?.operation ?? 'unknown';
          const failed = errors !== undefined && errors.length > 0;
          const level = quietReads && type === 'query' && !failed && elapsed < slowNs ? 'debug' : 'info';
          // Skips building the line when its level is off (the common case of a subgraph's reads).
          if (!requestLog.isLevelEnabled(level)) return;
          const name = operationName ?? request.operationName;
          const codes = errors?.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          requestLog[level](
            {
              operation: name ? (OPERATION_NAME.test(name) ? name : 'other') : 'anonymous',
              type,
              durationMs: Math.round(Number(elapsed) / 1e4) / 100,
              ...(codes && codes.length > 0 && { errorCodes: [...new Set(codes)] }),
            },
            'graphql operation',
          );
        },
      };
    },
  };
}

import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../logging';

// Operation names are chosen by clients: only a GraphQL name of reasonable length reaches the log as it is.
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * One info line per GraphQL operation over HTTP — `graphql operation` with its name, type, duration and error
 * codes — written inside the request's context, so it carries the correlation id: the line that shows a request
 * reached this process, in the gateway and in every subgraph. Nothing of the document or variables is logged.
 */
export function operationLogPlugin(log: Logger): ApolloServerPlugin {
  return {
    async requestDidStart({ request, contextValue }) {
      const started = process.hrtime.bigint();
      // The request's own child logger where the context has one (the gateway keeps no AsyncLocalStorage).
      const requestLog = (contextValue as { log?: Logger }).log ?? log;
      return {
        async willSendResponse({ operation, operationName, errors }) {
          const name = operationName ?? request.operationName;
          const codes = errors?.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          requestLog.info(
            {
              operation: name ? (OPERATION_NAME.test(name) ? name : 'other') : 'anonymous',
              type: operation?.operation ?? 'unknown',
              durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
              ...(codes && codes.length > 0 && { errorCodes: [...new Set(codes)] }),
            },
            'graphql operation',
          );
        },
      };
    },
  };
}

import type { ApolloServerPlugin } from '@apollo/server';
import type { Histogram } from 'prom-client';
import { BoundedLabel } from './bounded';

// Operation names are chosen by clients; only real GraphQL names of reasonable length become label values.
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/** Observes each GraphQL operation's duration by name, type (query/mutation/subscription) and outcome. */
export function graphqlDurationPlugin(histogram: Histogram<string>, names: BoundedLabel): ApolloServerPlugin {
  return {
    async requestDidStart(requestContext) {
      const started = process.hrtime.bigint();
      const requestedName = requestContext.request.operationName;
      return {
        async willSendResponse({ operation, operationName, errors }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          histogram.observe(
            {
              operation: operationLabel(operationName ?? requestedName, names),
              type: operation?.operation ?? 'unknown',
              outcome: errors && errors.length > 0 ? 'error' : 'ok',
            },
            seconds,
          );
        },
      };
    },
  };
}

function operationLabel(name: string | null | undefined, names: BoundedLabel): string {
  if (!name) return 'anonymous';
  return OPERATION_NAME.test(name) ? names.value(name) : 'other';
}

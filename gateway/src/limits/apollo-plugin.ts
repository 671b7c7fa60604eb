import type { ApolloServerPlugin } from '@apollo/server';
import { errors } from '@atrium/platform/errors';
import { checkOperationInput } from '@atrium/platform/server';
import type { Metrics } from '@atrium/platform/metrics';
import type { OperationLimits } from '../config-hardening';
import type { GatewayContext } from '../context';
import { withHttpStatus } from '../errors';
import type { GatewayRateLimits } from '../rate-limits';
import { checkCost } from './index';
import { isIntrospection } from './introspection';
import { PassedOperations } from './passed-operations';

/**
 * What the HTTP path checks once the operation and its variables are known, before the gateway plans it or
 * calls any subgraph: the cost limit (400 GRAPHQL_VALIDATION_FAILED) and the introspection rate limit (429).
 * Depth, aliases, directives and tokens were enforced earlier, by validation rules and the parser. An operation
 * that cannot be resolved (several without `operationName`, or an unknown name) is a client mistake: 400
 * OPERATION_RESOLUTION_FAILURE (a subscription over HTTP: subscriptions/http-refusal.ts). An operation that passed
 * with exactly these variables against this schema is not walked again (passed-operations.ts).
 */
export function operationGuardPlugin(options: {
  limits: OperationLimits;
  rateLimits: GatewayRateLimits;
  metrics: Metrics;
}): ApolloServerPlugin<GatewayContext> {
  const { limits, rateLimits } = options;
  const rejected = options.metrics.counter(
    'gateway_rejected_operations_total',
    'Operations refused before execution, by reason',
    ['reason'],
  );
  // A client repeating an operation with the same variables gets the same verdicts: remembered (passes only).
  const passed = new PassedOperations();
  return {
    async requestDidStart() {
      return {
        async validationDidStart() {
          return async (errors) => {
            if (errors && errors.length > 0) rejected.inc({ reason: 'validation' });
          };
        },
        async didResolveOperation({ schema, document, operation, request, contextValue, queryHash }) {
          // Client mistakes Apollo would let reach the gateway's executor, which answers them with a 500.
          if (!operation) {
            rejected.inc({ reason: 'operation' });
            throw withHttpStatus(unresolvedOperation(request.operationName), 400);
          }
          const key = passed.keyOf(queryHash, request.operationName, request.variables);
          if (key !== undefined && passed.has(schema, key)) return;
          // The same central check every subgraph applies, here so bad text never costs a subgraph call.
          const badInput = checkOperationInput(document, operation, request.variables, {
            maxRepresentations: Number.MAX_SAFE_INTEGER,
          });
          if (badInput) {
            rejected.inc({ reason: 'input' });
            throw withHttpStatus(badInput, 400);
          }
          const tooCostly = checkCost(schema, document, request.operationName, request.variables, limits);
          if (tooCostly) {
            rejected.inc({ reason: 'cost' });
            throw withHttpStatus(tooCostly, 400);
          }
          if (isIntrospection(document, operation)) {
            // Rate-limited per request: never remembered.
            await rateLimits.checkIntrospection(contextValue.principal, contextValue.clientIp);
            return;
          }
          if (key !== undefined) passed.add(schema, key);
        },
      };
    },
  };
}

function unresolvedOperation(operationName: string | null | undefined) {
  return errors.OPERATION_RESOLUTION_FAILURE(
    operationName
      ? `No operation named "${operationName}" in the document.`
      : 'The document holds several operations; name the one to run in `operationName`.',
  );
}

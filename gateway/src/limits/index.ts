import {
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
} from 'graphql';
import { errors } from '@atrium/platform/errors';
import type { OperationLimits } from '../config-hardening';
import { operationCost } from './cost';
import { limitValidationRules, MAX_VALIDATION_ERRORS } from './rules';

export { operationCost, type CostOptions } from './cost';
export { introspectionDepthRule, isIntrospection } from './introspection';
export { directivesPerLocationRule, limitValidationRules, MAX_VALIDATION_ERRORS } from './rules';
export { documentSizeProblem } from './request-checks';
export type { OperationLimits } from '../config-hardening';

/** Parses with the token limit: a longer document fails at the limit (GraphQLError), so latency stays flat. */
export function parseOperation(source: string, limits: Pick<OperationLimits, 'maxTokens'>): DocumentNode {
  return parse(source, { maxTokens: limits.maxTokens, noLocation: false });
}

/**
 * The error for an operation costing more than `limits.maxCost` with these variables, or undefined. Run it once
 * variables are known and before any subgraph is called (HTTP: didResolveOperation; graphql-ws: onSubscribe).
 */
export function checkCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  limits: OperationLimits,
): GraphQLError | undefined {
  const cost = operationCost(schema, document, operationName, variables, limits);
  if (cost <= limits.maxCost) return undefined;
  return errors.GRAPHQL_VALIDATION_FAILED(
    `Operation cost limit of ${limits.maxCost} exceeded, found ${Math.ceil(cost)}.`,
    { cost: Math.ceil(cost), maxCost: limits.maxCost },
  );
}

/** Schema validation with the limit rules: what does not depend on variables (cacheable per document). */
export function validateOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  limits: OperationLimits,
): readonly GraphQLError[] {
  return validate(schema, document, [...specifiedRules, ...limitValidationRules(limits)], {
    maxErrors: MAX_VALIDATION_ERRORS,
  });
}

/**
 * Everything the HTTP path checks before planning, as one function for transports that do not run Apollo's
 * pipeline (the graphql-ws transport, gateway/src/subscriptions): schema validation with the limit rules, then cost.
 */
export function checkOperation(options: {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variables?: Readonly<Record<string, unknown>> | null;
  limits: OperationLimits;
}): readonly GraphQLError[] {
  const { schema, document, limits } = options;
  const invalid = validateOperation(schema, document, limits);
  if (invalid.length > 0) return invalid;
  if (!getOperationAST(document, options.operationName)) return [];
  const tooCostly = checkCost(schema, document, options.operationName, options.variables, limits);
  return tooCostly ? [tooCostly] : [];
}

import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { OperationLimits } from '../config-hardening';
import { introspectionDepthRule } from './introspection';

type RejectHandler = (context: ValidationContext | null, error: GraphQLError) => void;

// graphql-armor's rules prefix every message with "Syntax Error:" although none is a syntax error; and with
// its default Apollo handler they carry BAD_USER_INPUT. Reported here as plain validation errors, they reach
// clients as 400 GRAPHQL_VALIDATION_FAILED like graphql-js's own rules.
const report: RejectHandler = (context, error) => {
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error:\s*/, '')));
};

const reported = { propagateOnRejection: false, onReject: [report], exposeLimits: true };

/**
 * The validation rules enforcing `limits` on a parsed document, to run with graphql-js's specified rules (which
 * include MaxIntrospectionDepthRule, the "Maximum introspection depth exceeded" guard against circular
 * introspection). graphql-armor provides depth, aliases and directives; its gaps are closed here:
 * - depth flattens fragments (armor's default counts each spread as a level);
 * - aliases of `__typename` count (armor's default allow-list exempts them, so `a1: __typename …` was free);
 * - introspection, which armor's depth rule skips, has its own depth bound;
 * - tokens are limited by the parser (`parseOptions.maxTokens`): armor's Apollo plugin throws from a hook
 *   and the client gets a 500;
 * - cost is computed later with the variables (see cost.ts): armor's cost rule sees neither.
 */
export function limitValidationRules(limits: OperationLimits): ValidationRule[] {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true, ...reported },
    maxAliases: { n: limits.maxAliases, allowList: [], ...reported },
    maxDirectives: { n: limits.maxDirectives, ...reported },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  });
  return [...armor.protect().validationRules, introspectionDepthRule(limits.maxIntrospectionDepth)];
}

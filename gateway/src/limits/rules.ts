import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  type ASTNode,
  type ASTVisitor,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
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
  return [
    directivesPerLocationRule(limits.maxDirectivesPerLocation),
    ...armor.protect().validationRules,
    introspectionDepthRule(limits.maxIntrospectionDepth),
  ];
}

/**
 * Validation stops after this many errors (graphql-js then adds one "Too many validation errors" error), so a
 * document repeating one mistake cannot make the answer grow with it: `{ __typename @a@a… }` is at most
 * MAX_VALIDATION_ERRORS + 1 errors.
 */
export const MAX_VALIDATION_ERRORS = 10;

/**
 * At most `max` directives on any one node (field, fragment spread, operation, variable…). Reported once per
 * document: the whole point is that a repeated directive costs the client, not the answer's size.
 */
export function directivesPerLocationRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let reported = false;
    return {
      enter(node: ASTNode) {
        if (reported || !('directives' in node) || (node.directives?.length ?? 0) <= max) return;
        reported = true;
        context.reportError(
          new GraphQLError(
            `Directives limit of ${max} per location exceeded, found ${node.directives!.length}.`,
            {
              nodes: [node],
            },
          ),
        );
      },
    };
  };
}

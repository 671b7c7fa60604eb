import {
  Kind,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { errors } from '@atrium/platform/errors';

const CONDITIONAL = new Set(['skip', 'include']);
const INCREMENTAL = new Set(['defer', 'stream']);

/**
 * What a subscription must look like for the engine to plan and share it: exactly one root field (fragments
 * resolved), without `@skip`/`@include` on it (whether a stream exists must not depend on variables), and no
 * `@defer`/`@stream` anywhere (an event is delivered whole). Each problem is a GRAPHQL_VALIDATION_FAILED error.
 */
export function subscriptionShapeErrors(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): GraphQLError[] {
  const problems: GraphQLError[] = [];
  const roots = rootFields(document, operation.selectionSet, new Set());
  if (roots.count !== 1) {
    problems.push(errors.GRAPHQL_VALIDATION_FAILED('A subscription must select exactly one root field.'));
  }
  if (roots.conditional) {
    problems.push(
      errors.GRAPHQL_VALIDATION_FAILED(
        '@skip and @include are not allowed on the root field of a subscription.',
      ),
    );
  }
  let incremental = false;
  visit(document, {
    Directive(node) {
      if (INCREMENTAL.has(node.name.value)) incremental = true;
    },
  });
  if (incremental) {
    problems.push(errors.GRAPHQL_VALIDATION_FAILED('@defer and @stream are not supported in subscriptions.'));
  }
  return problems;
}

function rootFields(
  document: DocumentNode,
  set: SelectionSetNode,
  seen: Set<string>,
): { count: number; conditional: boolean } {
  let count = 0;
  let conditional = false;
  for (const selection of set.selections) {
    if (selection.directives?.some((d) => CONDITIONAL.has(d.name.value))) conditional = true;
    if (selection.kind === Kind.FIELD) {
      count++;
      continue;
    }
    let inner: SelectionSetNode | undefined;
    if (selection.kind === Kind.INLINE_FRAGMENT) inner = selection.selectionSet;
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const name = selection.name.value;
      const fragment = document.definitions.find(
        (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name,
      );
      inner = fragment?.selectionSet;
    }
    if (inner) {
      const nested = rootFields(document, inner, seen);
      count += nested.count;
      conditional ||= nested.conditional;
    }
  }
  return { count, conditional };
}

import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

/**
 * Bounds the depth under `__schema`/`__type` (fragments flattened). graphql-js's MaxIntrospectionDepthRule
 * stops the circular `fields { type { fields … } }` pattern but not a long `ofType { ofType { … } }` chain, and
 * graphql-armor's depth rule skips introspection altogether; the standard introspection query is 13 deep.
 */
export function introspectionDepthRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Field(node) {
      if (!INTROSPECTION_ROOTS.has(node.name.value) || !node.selectionSet) return undefined;
      const depth = 1 + selectionDepth(node.selectionSet, (name) => context.getFragment(name), new Set());
      if (depth > maxDepth) {
        context.reportError(
          new GraphQLError(`Introspection depth limit of ${maxDepth} exceeded, found ${depth}.`, {
            nodes: [node],
          }),
        );
      }
      // Nested introspection roots are inside this one's depth already.
      return false;
    },
  });
}

function selectionDepth(
  set: SelectionSetNode,
  fragment: (name: string) => FragmentDefinitionNode | null | undefined,
  visiting: Set<string>,
  memo = new Map<string, number>(),
): number {
  let deepest = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const below = selection.selectionSet
        ? selectionDepth(selection.selectionSet, fragment, visiting, memo)
        : 0;
      deepest = Math.max(deepest, 1 + below);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragment, visiting, memo));
    } else {
      const name = selection.name.value;
      const definition = fragment(name);
      // Fragment cycles are NoFragmentCyclesRule's error.
      if (!definition || visiting.has(name)) continue;
      // Memoised, so fragments spreading fragments twice over cannot make this exponential.
      let depth = memo.get(name);
      if (depth === undefined) {
        visiting.add(name);
        depth = selectionDepth(definition.selectionSet, fragment, visiting, memo);
        visiting.delete(name);
        memo.set(name, depth);
      }
      deepest = Math.max(deepest, depth);
    }
  }
  return deepest;
}

/**
 * Whether the operation asks for `__schema` or `__type` at its root (directly or through fragments): such
 * operations are answered by the gateway from the public API schema and rate-limited on their own.
 * `__typename` alone is not introspection.
 */
export function isIntrospection(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const visit = (set: SelectionSetNode, seen: Set<string>): boolean =>
    set.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return INTROSPECTION_ROOTS.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet, seen);
      const definition = fragments.get(selection.name.value);
      if (!definition || seen.has(definition.name.value)) return false;
      seen.add(definition.name.value);
      return visit(definition.selectionSet, seen);
    });
  return visit(operation.selectionSet, new Set());
}

import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * Bounds depth and aliases of each operation (fragments flattened, memoised so fragment fan-out stays linear).
 * The gateway enforces its own, tighter limits first; these keep a subgraph endpoint safe when probed directly.
 */
export function operationShapeRule(limits: { maxDepth: number; maxAliases: number }): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(node) {
      const fragment = (name: string) => context.getFragment(name);
      const measured = measure(node.selectionSet, fragment, new Set(), new Map());
      if (measured.depth > limits.maxDepth) {
        context.reportError(
          new GraphQLError(`Query depth limit of ${limits.maxDepth} exceeded, found ${measured.depth}.`, {
            nodes: [node],
          }),
        );
      }
      if (measured.aliases > limits.maxAliases) {
        context.reportError(
          new GraphQLError(`Aliases limit of ${limits.maxAliases} exceeded, found ${measured.aliases}.`, {
            nodes: [node],
          }),
        );
      }
      return false;
    },
  });
}

interface Measure {
  depth: number;
  aliases: number;
}

function measure(
  set: SelectionSetNode,
  fragment: (name: string) => FragmentDefinitionNode | null | undefined,
  visiting: Set<string>,
  memo: Map<string, Measure>,
): Measure {
  let depth = 0;
  let aliases = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) aliases++;
      const below = selection.selectionSet
        ? measure(selection.selectionSet, fragment, visiting, memo)
        : { depth: 0, aliases: 0 };
      depth = Math.max(depth, 1 + below.depth);
      aliases += below.aliases;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const inner = measure(selection.selectionSet, fragment, visiting, memo);
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
    } else {
      const name = selection.name.value;
      const definition = fragment(name);
      if (!definition || visiting.has(name)) continue;
      let inner = memo.get(name);
      if (!inner) {
        visiting.add(name);
        inner = measure(definition.selectionSet, fragment, visiting, memo);
        visiting.delete(name);
        memo.set(name, inner);
      }
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
    }
  }
  return { depth, aliases };
}

import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import {
  Kind,
  type DocumentNode,
  type FormattedExecutionResult,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

const META_FIELDS = new Set(['__schema', '__type', '__typename']);

/**
 * Answers repeated introspection from a small cache. The answer depends only on the schema, the document and
 * its variables, and executing the standard introspection query over Atrium's schema costs milliseconds of CPU
 * each time — the most expensive thing an anonymous caller could ask over and over. Runs after the introspection
 * rate limit (didResolveOperation), so cached answers still count against it. `reset()` on a schema change.
 */
export function introspectionCachePlugin(maxEntries = 100): ApolloServerPlugin & { reset(): void } {
  const cache = new Map<string, FormattedExecutionResult>();
  return {
    reset: () => cache.clear(),
    async requestDidStart() {
      let key: string | undefined;
      return {
        async responseForOperation({ document, operation, queryHash, request }) {
          if (!operation || !isPureIntrospection(document, operation)) return null;
          key = `${queryHash}\0${operation.name?.value ?? ''}\0${JSON.stringify(request.variables ?? {})}`;
          const cached = cache.get(key);
          if (!cached) return null;
          key = undefined;
          return { http: { headers: new HeaderMap() }, body: { kind: 'single', singleResult: cached } };
        },
        async willSendResponse({ response }) {
          if (key === undefined || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.errors?.length || !result.data) return;
          cache.set(key, { data: result.data });
          if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
        },
      };
    },
  };
}

/** Every root field is `__schema`, `__type` or `__typename` (through fragments too). */
function isPureIntrospection(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  if (operation.operation !== 'query') return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const onlyMeta = (set: SelectionSetNode, seen: Set<string>): boolean =>
    set.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return META_FIELDS.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return onlyMeta(selection.selectionSet, seen);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return false;
      seen.add(fragment.name.value);
      return onlyMeta(fragment.selectionSet, seen);
    });
  return onlyMeta(operation.selectionSet, new Set());
}

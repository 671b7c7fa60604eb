import type { ApolloServerPlugin } from '@apollo/server';

// A service serving requests without AsyncLocalStorage (a hook on every promise) cannot ask for "the current
// request" in Apollo's formatError, which is given no context. Instead the errors of a request are tagged with its
// id before they are formatted, and formatError reads the tag.
const requestIds = new WeakMap<object, string>();

/** Marks `error` as one of request `requestId`'s (formatError then puts the id in its extensions and log line). */
export function tagRequestId<E>(error: E, requestId: string): E {
  if (typeof error === 'object' && error !== null) requestIds.set(error, requestId);
  return error;
}

/** The request id an error was tagged with: its own, or that of an error it wraps (Apollo wraps some). */
export function requestIdOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const id = requestIds.get(current);
    if (id !== undefined) return id;
    current = (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}

/** Tags every error of a GraphQL request (parse, validation, execution) with the context's `requestId`. */
export function requestIdPlugin(): ApolloServerPlugin<{ requestId: string }> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) tagRequestId(error, contextValue.requestId);
        },
      };
    },
  };
}

import type { GraphQLSchema } from 'graphql';

/** Bytes of keys remembered in all (a key is about the size of the operation's variables). Default 1 MiB. */
const DEFAULT_MAX_BYTES = 1024 * 1024;
/** Operations whose key is longer (large variables) are checked every time rather than remembered. */
const DEFAULT_MAX_KEY_CHARS = 2048;

/**
 * Operations that passed the per-request checks (input text, cost, not introspection) against one schema, so a
 * client repeating an operation does not pay the two document walks again. The key is the query's SHA-256 (Apollo's
 * `queryHash`, verified against the text for persisted queries), the operation name and the exact variables as
 * JSON: the verdict depends on nothing else, so a different page size or input is checked anew. Only passes are
 * remembered (a refusal is rare, and its error belongs to its request); a new schema forgets everything. Bounded
 * in bytes, oldest first out; nothing here holds a document.
 */
export class PassedOperations {
  private schema: GraphQLSchema | undefined;
  private readonly keys = new Set<string>();
  private chars = 0;

  constructor(
    private readonly maxBytes = DEFAULT_MAX_BYTES,
    private readonly maxKeyChars = DEFAULT_MAX_KEY_CHARS,
  ) {}

  /** The key of an operation, or undefined when it is not to be remembered (no hash, variables too large). */
  keyOf(
    queryHash: string | undefined,
    operationName: string | null | undefined,
    variables: Readonly<Record<string, unknown>> | undefined,
  ): string | undefined {
    if (!queryHash) return undefined;
    let json: string;
    try {
      json = JSON.stringify(variables ?? {});
    } catch {
      return undefined;
    }
    if (json.length > this.maxKeyChars) return undefined;
    return `${queryHash}\n${operationName ?? ''}\n${json}`;
  }

  has(schema: GraphQLSchema, key: string): boolean {
    return schema === this.schema && this.keys.has(key);
  }

  add(schema: GraphQLSchema, key: string): void {
    if (schema !== this.schema) {
      this.schema = schema;
      this.keys.clear();
      this.chars = 0;
    }
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.chars += key.length;
    // Two bytes a character: V8 may store a key either way, and this bound is about the worst case.
    while (this.chars * 2 > this.maxBytes) {
      const oldest = this.keys.values().next().value as string;
      this.keys.delete(oldest);
      this.chars -= oldest.length;
    }
  }

  get size(): number {
    return this.keys.size;
  }
}

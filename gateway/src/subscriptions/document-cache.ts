import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';

/** A parsed and schema-validated operation, or why it was refused (parse or validation errors). */
export type CheckedDocument =
  | { document: DocumentNode; errors?: undefined }
  | { document?: undefined; errors: readonly GraphQLError[]; reason: 'parse' | 'validation' };

/**
 * Parse and validation results per schema and query text, as Apollo Server's document store does for HTTP:
 * thousands of clients sending the same subscription share one DocumentNode (parsing and validating it once,
 * and keeping one AST in memory instead of one per subscription — graphql-ws holds each subscription's
 * document while it runs). Only what does not depend on variables is cached; cost is checked per operation.
 * Least recently used entries go first past `capacity`; a new schema starts an empty cache.
 */
export class DocumentCache {
  private schema: GraphQLSchema | undefined;
  private readonly entries = new Map<string, CheckedDocument>();

  constructor(
    private readonly capacity: number,
    /** The longest query text cached; longer ones are checked every time (they are rare and large). */
    private readonly maxQueryLength = 16 * 1024,
  ) {}

  get(schema: GraphQLSchema, query: string, check: () => CheckedDocument): CheckedDocument {
    if (schema !== this.schema) {
      this.schema = schema;
      this.entries.clear();
    }
    if (query.length > this.maxQueryLength) return check();
    const cached = this.entries.get(query);
    if (cached) {
      this.entries.delete(query);
      this.entries.set(query, cached);
      return cached;
    }
    const checked = check();
    this.entries.set(query, checked);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return checked;
  }
}

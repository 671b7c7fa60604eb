import { Directive, Field, ObjectType } from 'type-graphql';
import { errors } from '../errors';

/** The contract's promise for every list that can grow: `first` is clamped to this. */
export const MAX_PAGE_SIZE = 100;

/** `first` as the contract promises: the default when absent, at least 1, at most 100; negative is a mistake. */
export function clampFirst(first: number | null | undefined, fallback: number): number {
  if (first === null || first === undefined) return fallback;
  if (first < 0) throw invalid('first', 'must not be negative');
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(first)));
}

/** Where a row stands in every Atrium list: a time, then an id that breaks ties between rows of one time. */
export interface SortKey {
  at: Date;
  id: string | number;
}

/** The one cursor format, opaque to clients: base64url JSON `[ISO time, id]` of the last row's sort key. */
export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify([key.at.toISOString(), key.id]), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor of `encodeCursor`, with an id of the list's kind (`integer` for auto-increment ids). A
 * forged or foreign cursor is BAD_USER_INPUT, never a crash.
 */
export function decodeCursor(cursor: string, id: 'string' | 'integer' = 'string'): SortKey {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string') {
      const at = new Date(value[0]);
      const idOk = id === 'integer' ? Number.isSafeInteger(value[1]) : typeof value[1] === 'string';
      if (!Number.isNaN(at.getTime()) && idOk) return { at, id: value[1] as string | number };
    }
  } catch {
    // fall through to the coded error
  }
  throw invalid('after', 'is not a cursor returned by this list');
}

/**
 * The rows strictly after `key` in a list sorted by (`field`, `id`) in `order`, as a MikroORM filter: keyset
 * pagination, so a page costs one indexed range scan however deep it is.
 */
export function rowsAfter(field: string, key: SortKey, order: 'asc' | 'desc'): Record<string, unknown> {
  const beyond = order === 'asc' ? '$gt' : '$lt';
  return { $or: [{ [field]: { [beyond]: key.at } }, { [field]: key.at, id: { [beyond]: key.id } }] };
}

/** A page of a connection, from the `first + 1` rows read (the extra row only says that more follow). */
export function pageOf<T>(
  rows: readonly T[],
  first: number,
  keyOf: (row: T) => SortKey,
): { edges: Array<{ cursor: string; node: T }>; pageInfo: PageInfo } {
  const edges = rows.slice(0, first).map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}

function invalid(field: string, message: string) {
  return errors.BAD_USER_INPUT(`Invalid input: ${field} ${message}`, { fields: [{ field, message }] });
}

/** The Relay page info every subgraph's connections share, hence @shareable. */
@Directive('@shareable')
@ObjectType('PageInfo', { description: 'Where a page of a cursor-paginated list ends.' })
export class PageInfo {
  @Field({ description: 'Whether more items follow this page.' })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: "The last item's cursor: pass it as `after` for the next page. Null when the page is empty.",
  })
  endCursor!: string | null;
}

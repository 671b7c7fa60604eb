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

/** Cursors are opaque to clients: base64url JSON of the sort key of the last row. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Decodes a cursor and checks its shape; a forged or foreign cursor is BAD_USER_INPUT, never a crash. */
export function decodeCursor<T>(cursor: string, isValid: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(value)) return value;
  } catch {
    // fall through to the coded error
  }
  throw invalid('after', 'is not a cursor returned by this list');
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

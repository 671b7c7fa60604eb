import { Directive, Field, ObjectType } from 'type-graphql';
import { badInput } from './input-errors';

export const MAX_PAGE_SIZE = 100;

/** `first` as the contract promises: at least 1, at most 100. */
export function clampFirst(first: number | null | undefined, fallback: number): number {
  const value = first ?? fallback;
  if (!Number.isFinite(value)) return fallback;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(value)));
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
  throw badInput([{ field: 'after', message: 'is not a cursor returned by this list' }]);
}

/** Shared with other subgraphs' connections, hence @shareable. */
@Directive('@shareable')
@ObjectType('PageInfo')
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

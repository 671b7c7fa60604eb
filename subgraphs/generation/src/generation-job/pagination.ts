import { errors } from '@atrium/platform/errors';

export const MAX_PAGE = 100;

/** `first` clamped to 1..100; a negative value is a mistake worth telling. */
export function clampFirst(first: number | null | undefined, fallback = 20): number {
  if (first === null || first === undefined) return fallback;
  if (first < 0) throw errors.BAD_USER_INPUT('first must not be negative', { field: 'first' });
  return Math.min(Math.max(first, 1), MAX_PAGE);
}

export interface Cursor {
  createdAt: Date;
  id: string;
}

/** Opaque to clients: base64url of the sort key (creation time, then id, both descending). */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    const date = new Date(String(createdAt));
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad cursor');
    return { createdAt: date, id };
  } catch {
    throw errors.BAD_USER_INPUT('after is not a cursor this API returned', { field: 'after' });
  }
}

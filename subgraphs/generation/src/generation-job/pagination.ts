import { decodeCursor, encodeCursor } from '@atrium/platform/pagination';

/** The sort key of a job list: creation time, then id, both descending. */
export interface JobCursor {
  createdAt: Date;
  id: string;
}

export function encodeJobCursor(cursor: JobCursor): string {
  return encodeCursor([cursor.createdAt.toISOString(), cursor.id]);
}

/** A forged or foreign cursor is BAD_USER_INPUT (from the platform decoder), never a crash. */
export function decodeJobCursor(text: string): JobCursor {
  const [createdAt, id] = decodeCursor(text, isJobCursor);
  return { createdAt: new Date(createdAt), id };
}

function isJobCursor(value: unknown): value is [string, string] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'string' &&
    !Number.isNaN(new Date(value[0]).getTime())
  );
}

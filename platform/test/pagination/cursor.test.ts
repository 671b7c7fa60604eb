import { decodeCursor, encodeCursor, pageOf, rowsAfter } from '../../src/pagination';

const at = new Date('2026-11-29T12:00:00.000Z');

describe('the one cursor format', () => {
  it('decodes what it encodes, for string and integer ids', () => {
    expect(decodeCursor(encodeCursor({ at, id: 'job-1' }))).toEqual({ at, id: 'job-1' });
    expect(decodeCursor(encodeCursor({ at, id: 42 }), 'integer')).toEqual({ at, id: 42 });
  });

  it.each([
    ['not base64 JSON', 'not a cursor', 'string'],
    [
      'an old object cursor',
      Buffer.from(JSON.stringify({ c: at.toISOString(), i: 'x' })).toString('base64url'),
      'string',
    ],
    ['a bad time', Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url'), 'string'],
    ['a string id where an integer is expected', encodeCursor({ at, id: 'x' }), 'integer'],
  ] as const)('refuses %s with BAD_USER_INPUT naming `after`', (_name, cursor, id) => {
    expect(() => decodeCursor(cursor, id)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
    expect(() => decodeCursor(cursor, id)).toThrow(/after/);
  });

  it('filters the rows strictly after a key, in either order, ties broken by id', () => {
    expect(rowsAfter('createdAt', { at, id: 'b' }, 'desc')).toEqual({
      $or: [{ createdAt: { $lt: at } }, { createdAt: at, id: { $lt: 'b' } }],
    });
    expect(rowsAfter('createdAt', { at, id: 'b' }, 'asc')).toEqual({
      $or: [{ createdAt: { $gt: at } }, { createdAt: at, id: { $gt: 'b' } }],
    });
  });

  it('makes a page of `first` rows from `first + 1`, its end cursor the last row it keeps', () => {
    const rows = ['a', 'b', 'c'].map((id) => ({ id, at }));
    const page = pageOf(rows, 2, (row) => row);
    expect(page.edges.map((edge) => edge.node.id)).toEqual(['a', 'b']);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor({ at, id: 'b' }) });
    expect(pageOf(rows, 5, (row) => row).pageInfo.hasNextPage).toBe(false);
    expect(pageOf([], 5, (row: { id: string; at: Date }) => row).pageInfo).toEqual({
      hasNextPage: false,
      endCursor: null,
    });
  });
});

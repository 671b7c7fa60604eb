import { createLoader } from '../../src/dataloader';

interface User {
  id: string;
  name: string;
}

const table: User[] = [
  { id: 'u1', name: 'Ada' },
  { id: 'u2', name: 'Grace' },
  { id: 'u3', name: 'Linus' },
];

/** Like `SELECT … WHERE id IN (…)`: the rows found, in the table's order, not the keys'. */
function usersById() {
  const batch = jest.fn(async (ids: readonly string[]) => table.filter((user) => ids.includes(user.id)));
  return { batch, loader: createLoader(batch, (user: User) => user.id) };
}

describe('createLoader', () => {
  it('returns results in the order of the keys, null for keys the batch did not find', async () => {
    const { loader } = usersById();
    const users = await loader.loadMany(['u3', 'missing', 'u1']);
    expect(users).toEqual([table[2], null, table[0]]);
  });

  it('makes one batch call for N loads in the same tick, each key once', async () => {
    const { batch, loader } = usersById();
    const names = await Promise.all(
      ['u1', 'u2', 'u1', 'u3', 'u2'].map(async (id) => (await loader.load(id))?.name),
    );
    expect(names).toEqual(['Ada', 'Grace', 'Ada', 'Linus', 'Grace']);
    expect(batch).toHaveBeenCalledTimes(1);
    expect(batch).toHaveBeenCalledWith(['u1', 'u2', 'u3']);
  });

  it('caches for the life of the loader only, so each request starts fresh', async () => {
    const first = usersById();
    await first.loader.load('u1');
    await first.loader.load('u1');
    expect(first.batch).toHaveBeenCalledTimes(1);

    const second = usersById();
    await second.loader.load('u1');
    expect(second.batch).toHaveBeenCalledTimes(1);
  });

  it('splits a large tick into batches of at most maxBatchSize keys', async () => {
    const batch = jest.fn(async (ids: readonly number[]) => ids.map((id) => ({ id })));
    const loader = createLoader(batch, (row) => row.id, { maxBatchSize: 2 });
    await expect(loader.loadMany([1, 2, 3, 4, 5])).resolves.toEqual([1, 2, 3, 4, 5].map((id) => ({ id })));
    expect(batch.mock.calls.map(([ids]) => ids)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('matches object keys through cacheKeyFn', async () => {
    type Key = { tenant: string; id: number };
    const loader = createLoader(
      async (keys: readonly Key[]) =>
        keys
          .slice()
          .reverse()
          .map((key) => ({ ...key, label: `${key.tenant}/${key.id}` })),
      (row) => ({ tenant: row.tenant, id: row.id }),
      { cacheKeyFn: (key: Key) => `${key.tenant}:${key.id}` },
    );
    const rows = await loader.loadMany([
      { tenant: 'a', id: 1 },
      { tenant: 'b', id: 1 },
    ]);
    expect(rows.map((row) => (row as { label: string }).label)).toEqual(['a/1', 'b/1']);
  });

  it('rejects every load of a failed batch', async () => {
    const loader = createLoader(
      async (): Promise<User[]> => Promise.reject(new Error('db down')),
      (user) => user.id,
    );
    const results = await Promise.allSettled([loader.load('u1'), loader.load('u2')]);
    expect(results).toEqual([
      { status: 'rejected', reason: new Error('db down') },
      { status: 'rejected', reason: new Error('db down') },
    ]);
  });
});

import { randomUUID } from 'node:crypto';
import { findByIds, findWhereEqual, openDatabase, type Database } from '../../src/database';
import {
  describeWithPostgres,
  freshPostgresDatabase,
  freshSqliteDatabase,
  Leftovers,
  type TestDatabase,
} from '../../src/testing';
import { migrations, Note } from './fixture';

const drivers = [
  { name: 'PostgreSQL', describeFor: describeWithPostgres, fresh: () => freshPostgresDatabase('direct') },
  { name: 'SQLite', describeFor: describe, fresh: freshSqliteDatabase },
] as const;

const plain = (note: Note) => ({ ...note });

for (const { name, describeFor, fresh } of drivers) {
  describeFor(`direct reads on ${name}`, () => {
    const leftovers = new Leftovers();
    let db: Database;
    const ids = [randomUUID(), randomUUID(), randomUUID()];

    beforeAll(async () => {
      const target: TestDatabase = leftovers.add(await fresh(), (it) => it.drop());
      db = leftovers.add(
        await openDatabase({
          databaseUrl: target.databaseUrl,
          dataDir: target.dataDir,
          dbName: 'notes',
          entities: [Note],
          migrations,
        }),
        (it) => it.close(),
      );
      const em = db.fork();
      em.create(Note, { id: ids[0]!, title: 'a', body: null, createdAt: new Date('2025-01-01T00:00:01Z') });
      em.create(Note, {
        id: ids[1]!,
        title: 'a',
        body: 'text',
        stars: 3,
        pinned: true,
        createdAt: new Date('2025-01-01T00:00:02Z'),
      });
      em.create(Note, {
        id: ids[2]!,
        title: 'b',
        body: 'other',
        createdAt: new Date('2025-01-01T00:00:03Z'),
      });
      await em.flush();
    });
    afterAll(() => leftovers.dispose());

    it('reads by id exactly what em.find reads: every column type, missing ids left out', async () => {
      const expected = await db.fork().find(Note, { id: { $in: ids } }, { orderBy: { createdAt: 'asc' } });
      const found = await findByIds(db.fork(), Note, [...ids, randomUUID()]);
      const byCreation = found.sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime());
      expect(byCreation.map(plain)).toEqual(expected.map(plain));
      expect(byCreation[1]).toMatchObject({ body: 'text', stars: 3, pinned: true });
      expect(byCreation[0]!.createdAt).toBeInstanceOf(Date);
      expect(await findByIds(db.fork(), Note, [])).toEqual([]);
    });

    it('returns managed entities: one instance per row in an entity manager, and changes flush', async () => {
      const em = db.fork();
      const [first] = await findByIds(em, Note, [ids[0]!]);
      const [again] = await findByIds(em, Note, [ids[0]!]);
      expect(again).toBe(first);
      expect(await em.findOne(Note, ids[0]!)).toBe(first);
      first!.stars = 7;
      // A change not yet flushed survives a later read in the same manager, as with em.find.
      await findByIds(em, Note, [ids[0]!]);
      await findWhereEqual(em, Note, { where: { title: 'a' } });
      expect(first!.stars).toBe(7);
      await em.flush();
      expect((await db.fork().findOneOrFail(Note, ids[0]!)).stars).toBe(7);
    });

    it('reads a page by equality, ordered and limited, as em.find does', async () => {
      const page = await findWhereEqual(db.fork(), Note, {
        where: { title: 'a' },
        orderBy: { createdAt: 'desc', id: 'desc' },
        limit: 1,
      });
      expect(page.map((note) => note.id)).toEqual([ids[1]]);
      const all = await findWhereEqual(db.fork(), Note, {
        where: { title: 'a' },
        orderBy: { createdAt: 'asc' },
      });
      expect(all.map((note) => note.id)).toEqual([ids[0], ids[1]]);
      const pinned = await findWhereEqual(db.fork(), Note, { where: { title: 'a', pinned: true } });
      expect(pinned.map((note) => note.id)).toEqual([ids[1]]);
    });
  });
}

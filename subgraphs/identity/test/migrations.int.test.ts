import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { assertSchemaUpToDate, openDatabase } from '@atrium/platform/database';
import {
  describeWithPostgres,
  freshPostgresDatabase,
  freshSqliteDatabase,
  Leftovers,
  type TestDatabase,
} from '@atrium/platform/testing';
import { entities, migrations } from '../src/database';
import { User } from '../src/user/user.entity';

const drivers = [
  { name: 'PostgreSQL', describeFor: describeWithPostgres, fresh: () => freshPostgresDatabase('identity') },
  { name: 'SQLite', describeFor: describe, fresh: freshSqliteDatabase },
] as const;

for (const { name, describeFor, fresh } of drivers) {
  describeFor(`identity migrations on ${name}`, () => {
    const leftovers = new Leftovers();
    afterEach(() => leftovers.dispose());

    const open = async (target: TestDatabase, list: typeof migrations) =>
      leftovers.add(
        await openDatabase({
          databaseUrl: target.databaseUrl,
          dataDir: target.dataDir,
          dbName: 'identity',
          entities: list === migrations ? entities : [],
          migrations: list,
        }),
        (db) => db.close(),
      );

    it('build exactly the schema the entities describe', async () => {
      const target = leftovers.add(await fresh(), (db) => db.drop());
      const db = await open(target, migrations);
      await expect(assertSchemaUpToDate(db.orm)).resolves.toBeUndefined();
    });

    it('upgrade a database of the released users table, keeping its rows (unable to sign in)', async () => {
      const target = leftovers.add(await fresh(), (db) => db.drop());
      const released = await open(target, migrations.slice(0, 1));
      const id = randomUUID();
      await released
        .fork()
        .getConnection()
        .execute('insert into users (id, created_at) values (?, ?)', [id, new Date()]);
      await released.close();

      const upgraded = await open(target, migrations);
      await expect(assertSchemaUpToDate(upgraded.orm)).resolves.toBeUndefined();
      const user = await upgraded.fork().findOneOrFail(User, id);
      expect(user).toMatchObject({ email: `legacy-${id}@users.invalid`, passwordHash: '', disabled: false });
      expect(user.roles).toEqual(['MEMBER']);
    });
  });
}

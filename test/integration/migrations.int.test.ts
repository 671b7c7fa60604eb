import 'reflect-metadata';
import { assertSchemaUpToDate, openDatabase, type DatabaseOptions } from '@atrium/platform/database';
import {
  describeWithPostgres,
  freshPostgresDatabase,
  freshSqliteDatabase,
  Leftovers,
  type TestDatabase,
} from '@atrium/platform/testing';
import * as generation from '@atrium/subgraph-generation/database';
import * as identity from '@atrium/subgraph-identity/database';
import * as integrations from '@atrium/subgraph-integrations/database';
import * as monitoring from '@atrium/subgraph-monitoring/database';

const SUBGRAPHS: Array<[string, Pick<DatabaseOptions, 'entities' | 'migrations'>]> = [
  ['identity', identity],
  ['integrations', integrations],
  ['generation', generation],
  ['monitoring', monitoring],
];

function migrationSuite(fresh: () => Promise<TestDatabase>) {
  const leftovers = new Leftovers();
  afterEach(() => leftovers.dispose());

  it.each(SUBGRAPHS)(
    '%s: migrations build exactly the schema its entities describe',
    async (name, schema) => {
      const target = leftovers.add(await fresh(), (db) => db.drop());
      const db = leftovers.add(
        await openDatabase({
          ...schema,
          databaseUrl: target.databaseUrl,
          dataDir: target.dataDir,
          dbName: name,
        }),
        (opened) => opened.close(),
      );
      await expect(assertSchemaUpToDate(db.orm)).resolves.toBeUndefined();
    },
  );
}

describe('subgraph migrations on the embedded SQLite', () => migrationSuite(freshSqliteDatabase));
describeWithPostgres('subgraph migrations on PostgreSQL', () =>
  migrationSuite(() => freshPostgresDatabase('migrations')),
);

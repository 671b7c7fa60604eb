import 'reflect-metadata';
import { assertSchemaUpToDate, type DatabaseOptions } from '@atrium/platform/database';
import { DATABASE_MODES, describeModes, Leftovers, openTestDatabase } from '@atrium/platform/testing';
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

describeModes(
  'subgraph migrations',
  (mode) => {
    const leftovers = new Leftovers();
    afterEach(() => leftovers.dispose());

    it.each(SUBGRAPHS)(
      '%s: migrations build exactly the schema its entities describe',
      async (name, schema) => {
        const db = await openTestDatabase(name, mode, leftovers, schema);
        await expect(assertSchemaUpToDate(db.orm)).resolves.toBeUndefined();
      },
    );
  },
  DATABASE_MODES,
);

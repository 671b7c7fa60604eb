import { join, resolve } from 'node:path';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { databaseOptions, redactUrl } from '../../src/database';
import { migrations, Note } from './fixture';

const base = { dataDir: '/var/lib/atrium', dbName: 'identity', entities: [Note], migrations };

describe('databaseOptions', () => {
  it.each(['postgresql://app:pw@db.internal:5433/identity', 'postgres://app:pw@db.internal:5433/identity'])(
    'selects PostgreSQL for %s, with the database named in the URL',
    (databaseUrl) => {
      const options = databaseOptions({ ...base, databaseUrl, pool: { min: 0, max: 4 } });
      expect(options.driver).toBe(PostgreSqlDriver);
      expect(options.clientUrl).toBe(databaseUrl);
      expect(options.dbName).toBe('identity');
      expect(options.pool).toEqual({ min: 0, max: 4 });
    },
  );

  it.each([undefined, '', 'file:'])(
    'selects the SQLite file <dataDir>/<dbName>.sqlite for %p',
    (databaseUrl) => {
      const options = databaseOptions({ ...base, databaseUrl });
      expect(options.driver).toBe(LibSqlDriver);
      expect(options.dbName).toBe('/var/lib/atrium/identity.sqlite');
      expect(options.pool).toMatchObject({ min: 1, max: 1, afterCreate: expect.any(Function) });
    },
  );

  it('uses the path of file:PATH, relative to the working directory or absolute', () => {
    expect(databaseOptions({ ...base, databaseUrl: 'file:.data/x.sqlite' }).dbName).toBe(
      resolve('.data/x.sqlite'),
    );
    expect(databaseOptions({ ...base, databaseUrl: 'file:/tmp/y.sqlite' }).dbName).toBe('/tmp/y.sqlite');
    expect(databaseOptions({ ...base, databaseUrl: 'file:///tmp/z.sqlite' }).dbName).toBe(
      join('/tmp', 'z.sqlite'),
    );
  });

  it('rejects another scheme without echoing the URL, which may hold a password', () => {
    expect(() => databaseOptions({ ...base, databaseUrl: 'mysql://app:hunter2@db/identity' })).toThrow(
      /Unsupported DATABASE_URL scheme "mysql:"/,
    );
    expect(() => databaseOptions({ ...base, databaseUrl: 'mysql://app:hunter2@db/identity' })).not.toThrow(
      /hunter2/,
    );
    expect(() => databaseOptions({ ...base, databaseUrl: 'postgresql://app:hunter2@db' })).toThrow(
      /names no database/,
    );
    expect(() => databaseOptions({ ...base, databaseUrl: 'postgresql://app:hunter2@db' })).not.toThrow(
      /hunter2/,
    );
  });

  it('forbids the global context, lists migrations as classes and never touches migration files', () => {
    const options = databaseOptions(base);
    expect(options.allowGlobalContext).toBe(false);
    expect(options.discovery).toMatchObject({ disableDynamicFileAccess: true });
    expect(options.migrations).toMatchObject({
      migrationsList: migrations,
      transactional: true,
      snapshot: false,
    });
    expect(options.entities).toEqual([Note]);
  });

  it('logs SQL in debug mode but never its parameters', () => {
    expect(databaseOptions(base).debug).toBe(false);
    const debug = databaseOptions({ ...base, debug: true }).debug;
    expect(debug).toEqual(expect.arrayContaining(['query']));
    expect(debug).not.toContain('query-params');
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps everything else', () => {
    expect(redactUrl('postgresql://app:s3cr%40t@db:5432/identity')).toBe(
      'postgresql://app:*****@db:5432/identity',
    );
    expect(redactUrl('postgresql://app@db/identity')).toBe('postgresql://app@db/identity');
  });
});

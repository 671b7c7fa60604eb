import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { createLogger } from '@atrium/platform/logging';
import {
  describeWithPostgres,
  freshPostgresDatabase,
  freshSqliteDatabase,
  Leftovers,
  waitFor,
  type TestDatabase,
} from '@atrium/platform/testing';
import { loadMonitoringConfig } from '../src/config';
import { createMonitoringServer } from '../src/server';
import { SECRET } from './support/harness';

// A watched service reports a failing dependency with its connection string in the output: the service-down
// alert's summary quotes it, so the failed INSERT of that alert carries it as a value.
const PLANTED_PASSWORD = 'PLANTEDmonitoring0123456789abcdef';
const PLANTED_OUTPUT = `connect failed: postgresql://app:${PLANTED_PASSWORD}@db.internal:5432/app`;

// Makes every alert insert fail inside the database, after the poller built the alert from the probe.
const FAIL_ALERT_INSERTS = {
  postgres: 'alter table "alerts" add constraint "planted_failure" check (false) not valid',
  sqlite:
    "create trigger planted_failure before insert on alerts begin select raise(abort, 'planted failure'); end",
};

const MODES: Array<[string, typeof describe, () => Promise<TestDatabase>, keyof typeof FAIL_ALERT_INSERTS]> =
  [
    ['embedded SQLite', describe, freshSqliteDatabase, 'sqlite'],
    ['PostgreSQL', describeWithPostgres, () => freshPostgresDatabase('mon_secrets'), 'postgres'],
  ];

interface LogLine {
  level: number;
  msg: string;
  err?: { code?: unknown; message?: string };
}

for (const [name, describeMode, openDatabase, dialect] of MODES) {
  describeMode(`monitoring on ${name}: a failed alert write logs no SQL values`, () => {
    const leftovers = new Leftovers();
    const lines: string[] = [];
    const parsed = () => lines.map((line) => JSON.parse(line) as LogLine);

    beforeAll(async () => {
      const failing = createServer((_req, res) => {
        res.setHeader('content-type', 'application/health+json');
        res.end(JSON.stringify({ status: 'fail', output: PLANTED_OUTPUT, version: '1.0.0', checks: {} }));
      });
      await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
      leftovers.defer(() => new Promise((resolve) => failing.close(resolve)));
      const target = `http://127.0.0.1:${(failing.address() as { port: number }).port}`;

      const db = leftovers.add(await openDatabase(), (d) => d.drop());
      const config = loadMonitoringConfig({
        INTERNAL_TOKEN_SECRET: SECRET,
        ATRIUM_DATA_DIR: db.dataDir,
        ...(db.databaseUrl ? { MONITORING_DATABASE_URL: db.databaseUrl } : {}),
        MONITORING_TARGETS: `identity=${target}`,
        MONITORING_ALERT_SERVICE_DOWN_SECONDS: '0',
      });
      const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
      const log = createLogger({
        service: 'monitoring-test',
        level: 'debug',
        pretty: false,
        destination: sink,
      });
      // The poller starts after the failure is planted, so its first poll already meets it.
      const server = leftovers.add(await createMonitoringServer({ config, log, startPoller: false }), (s) =>
        s.stop(),
      );
      await server.app.fork().getConnection().execute(FAIL_ALERT_INSERTS[dialect]);
      server.app.start({ poll: true });
    });
    afterAll(() => leftovers.dispose());

    it('the poller logs the failure with its code, without the connection string it was quoting', async () => {
      await waitFor(() => parsed().some((line) => line.msg === 'status poll failed'), 'a failed poll');

      const errorLines = parsed().filter((line) => line.err !== undefined && line.level >= 50);
      expect(errorLines.length).toBeGreaterThanOrEqual(1);
      for (const line of errorLines) {
        expect(line.err?.code).toEqual(expect.any(String));
        expect(line.err?.message).toMatch(/insert into/i);
        expect(line.err?.message).not.toMatch(/values\s*\(/i);
      }
      expect(lines.join('')).not.toContain(PLANTED_PASSWORD);
    });
  });
}

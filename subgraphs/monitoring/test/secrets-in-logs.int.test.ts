import { createServer } from 'node:http';
import { DATABASE_MODES, describeModes, Leftovers, LogCapture, waitFor } from '@atrium/platform/testing';
import { startMonitoring } from './support/harness';

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

interface LogLine {
  level: number;
  msg: string;
  err?: { code?: unknown; message?: string };
}

describeModes(
  'monitoring: a failed alert write logs no SQL values',
  (mode) => {
    const leftovers = new Leftovers();
    const logs = new LogCapture('monitoring-test');
    const parsed = () => logs.lines as unknown as LogLine[];

    beforeAll(async () => {
      const failing = createServer((_req, res) => {
        res.setHeader('content-type', 'application/health+json');
        res.end(JSON.stringify({ status: 'fail', output: PLANTED_OUTPUT, version: '1.0.0', checks: {} }));
      });
      await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
      leftovers.defer(() => new Promise((resolve) => failing.close(resolve)));
      const target = `http://127.0.0.1:${(failing.address() as { port: number }).port}`;

      // The poller starts after the failure is planted, so its first poll already meets it.
      const { server } = await startMonitoring({ MONITORING_TARGETS: `identity=${target}` }, leftovers, {
        database: mode.database,
        log: logs.log,
      });
      await server.app.fork().getConnection().execute(FAIL_ALERT_INSERTS[mode.database]);
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
      expect(logs.text).not.toContain(PLANTED_PASSWORD);
    });
  },
  DATABASE_MODES,
);

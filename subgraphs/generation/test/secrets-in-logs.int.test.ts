import { DATABASE_MODES, describeModes, Leftovers, LogCapture } from '@atrium/platform/testing';
import { GENERATE, startGeneration, user, type Harness } from './support/harness';

// A user pasted a provider key into the prompt: the failed INSERT carries it (and the owner's id) as a value.
const PLANTED_KEY = 'sk-live-PLANTEDgeneration0123456789abcdef';
const OWNER = user('planted-owner-7f3a');

// Makes every job insert fail inside the database, after the service validated and built the row.
const FAIL_JOB_INSERTS = {
  postgres: 'alter table "generation_jobs" add constraint "planted_failure" check (false) not valid',
  sqlite:
    "create trigger planted_failure before insert on generation_jobs begin select raise(abort, 'planted failure'); end",
};

describeModes(
  'generation: a failed job write logs no SQL values',
  (mode) => {
    const leftovers = new Leftovers();
    const logs = new LogCapture('generation-test');
    let harness: Harness;

    beforeAll(async () => {
      harness = await startGeneration({}, leftovers, { database: mode.database, log: logs.log });
      await harness.server.app.fork().getConnection().execute(FAIL_JOB_INSERTS[mode.database]);
    });
    afterAll(() => leftovers.dispose());

    it('generate failing in the database is logged with its code, without the prompt or the owner', async () => {
      const response = await harness.gql<{ generate: unknown }>(OWNER, GENERATE, {
        input: { kind: 'SUMMARY', prompt: `Summarise; my key is ${PLANTED_KEY}`, title: 'Planted' },
      });

      expect(response.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const errorLines = (
        logs.lines as unknown as Array<{ level: number; err?: { code?: unknown; message?: string } }>
      ).filter((line) => line.err !== undefined && line.level >= 50);
      expect(errorLines).toHaveLength(1);
      expect(errorLines[0]?.err?.code).toEqual(expect.any(String));
      expect(errorLines[0]?.err?.message).toMatch(/insert into/i);
      expect(errorLines[0]?.err?.message).not.toMatch(/values\s*\(/i);
      const text = logs.text;
      expect(text).not.toContain(PLANTED_KEY);
      expect(text).not.toContain(OWNER.userId!);
    });
  },
  DATABASE_MODES,
);

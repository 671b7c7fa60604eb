import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const ESLINT = join(ROOT, 'node_modules/eslint/bin/eslint.js');

/** Runs the project's ESLint (its own config, as `pnpm lint` does) on files, ignores off. */
function lint(...files: string[]): Array<{ ruleId: string | null; line: number; message: string }> {
  const run = spawnSync(process.execPath, [ESLINT, '--no-ignore', '--format', 'json', ...files], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const results = JSON.parse(run.stdout) as Array<{
    messages: Array<{ ruleId: string | null; line: number; message: string }>;
  }>;
  return results.flatMap((result) => result.messages);
}

describe('the import-cycle lint rule', () => {
  it('fails on two modules that import each other', () => {
    expect(lint('test/lint-fixtures/cycle/jobs.ts')).toEqual([
      expect.objectContaining({ ruleId: 'import-x/no-cycle', line: 2 }),
    ]);
  }, 60_000);

  it('passes on a module of the tree', () => {
    expect(lint('subgraphs/generation/src/app.ts')).toEqual([]);
  }, 60_000);
});

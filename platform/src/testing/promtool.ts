import { spawnSync } from 'node:child_process';

/** Where promtool (Debian's `prometheus` package; `.ci/run` installs it) is, or undefined. */
function findPromtool(): string | undefined {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? 'promtool' : undefined;
}

const PROMTOOL = findPromtool();

/**
 * Runs Prometheus's own checker: `promtool check metrics` (the text-format parser and naming lint, input on
 * stdin), `check rules`, `check config`. Returns its exit status and combined output.
 */
export function promtool(args: string[], input?: string): { status: number; output: string } {
  if (!PROMTOOL) throw new Error('promtool is not installed (apt-get install prometheus)');
  const run = spawnSync(PROMTOOL, args, { input, encoding: 'utf8' });
  return { status: run.status ?? 1, output: `${run.stdout}${run.stderr}` };
}

/**
 * `describe` when promtool is installed; otherwise a skip whose name says why, or, with REQUIRE_SERVICES=1 (CI),
 * a suite that fails.
 */
// Chosen when called, not when this module loads: bench scripts import the testing helpers outside Jest, where
// `describe` does not exist.
export function describeWithPromtool(name: string, fn: () => void): void {
  if (PROMTOOL) describe(name, fn);
  else if (process.env.REQUIRE_SERVICES === '1')
    describe(name, () =>
      it('needs promtool (apt-get install prometheus; .ci/run installs it)', () => {
        throw new Error('promtool is not installed');
      }),
    );
  else describe.skip(`${name} [skipped: promtool not installed; REQUIRE_SERVICES=1 makes this fail]`, fn);
}

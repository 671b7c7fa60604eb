#!/usr/bin/env node
// Runs every test suite (unit, integration, e2e). Installs first when node_modules is missing, so it works
// from a fresh clone with only Node 20 and npm. Arguments are passed on to jest. Ends with one plain
// summary line ("tests: N passed, N failed, N skipped") that CI and humans can read at a glance.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pnpm } = require('./pnpm');

const root = path.resolve(__dirname, '..');
function run(args) {
  return spawnSync(pnpm.command, [...pnpm.args, ...args], { cwd: root, stdio: 'inherit' }).status ?? 1;
}

if (!existsSync(path.join(root, 'node_modules', '.modules.yaml'))) {
  const status = run(['install', '--frozen-lockfile']);
  if (status !== 0) process.exit(status);
}
const outDir = mkdtempSync(path.join(os.tmpdir(), 'atrium-jest-'));
const resultsFile = path.join(outDir, 'results.json');
const status = run(['exec', 'jest', '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)]);
try {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  const skipped = results.numPendingTests + results.numTodoTests;
  console.log(
    `\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`,
  );
} catch {
  console.log('\ntests: 0 passed, 1 failed (jest produced no results)');
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
process.exit(status);

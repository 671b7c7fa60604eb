'use strict';
// The pinned pnpm: the installed one when it is that version, otherwise through npx (corepack cannot fetch
// signatures from the registry here, and a fresh machine may have only npm).
const { spawnSync } = require('node:child_process');

const PNPM_VERSION = '10.34.9';

function resolvePnpm() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (probe.status === 0 && probe.stdout.trim() === PNPM_VERSION) return { command: 'pnpm', args: [] };
  return { command: 'npx', args: ['--yes', `pnpm@${PNPM_VERSION}`] };
}

module.exports = { pnpm: resolvePnpm(), PNPM_VERSION };

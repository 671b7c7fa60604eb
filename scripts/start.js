#!/usr/bin/env node
// Installs (unless --no-install), builds and starts the whole stack: four subgraphs (plus the generation worker
// when REDIS_URL puts jobs on a shared queue), then the gateway once they are ready. Prints the
// gateway URL; Ctrl-C stops everything cleanly. Needs only Node 20 and npm.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');
const { pnpm } = require('./pnpm');
const { stackProcesses } = require('./stack-processes');

const root = path.resolve(__dirname, '..');
const env = process.env;
const { services: SERVICES, gateway: GATEWAY } = stackProcesses(env);
const READY_TIMEOUT_MS = 60_000;

function step(title, args) {
  console.log(`\n▸ ${title}`);
  const result = spawnSync(pnpm.command, [...pnpm.args, ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`✗ ${title} failed (exit ${result.status})`);
    process.exit(result.status || 1);
  }
}

/**
 * Every URL one service is handed about another, derived from the ports this run uses, so a stack started on
 * non-default ports links to itself (gateway → subgraphs, export links, monitoring targets). A variable set by
 * the caller wins.
 */
function derivedUrls() {
  const origin = (service) => `http://127.0.0.1:${service.port}`;
  const [identity, integrations, generation, monitoring] = SERVICES;
  const worker = SERVICES.find((s) => s.name === 'generation-worker');
  const derived = {
    IDENTITY_URL: `${origin(identity)}/graphql`,
    INTEGRATIONS_URL: `${origin(integrations)}/graphql`,
    GENERATION_URL: `${origin(generation)}/graphql`,
    MONITORING_URL: `${origin(monitoring)}/graphql`,
    GENERATION_EXPORT_BASE_URL: origin(GATEWAY),
    // The worker's own port (it would otherwise default to GENERATION_PORT, taken by the subgraph).
    ...(worker ? { GENERATION_WORKER_PORT: String(worker.port) } : {}),
    MONITORING_TARGETS: [GATEWAY, ...SERVICES].map((s) => `${s.name}=${origin(s)}`).join(','),
  };
  for (const name of Object.keys(derived)) if (env[name]) derived[name] = env[name];
  return derived;
}

const children = [];
let stopping = false;
let childEnv;

/**
 * The environment every process gets: the derived URLs and, outside production when INTERNAL_TOKEN_SECRET is
 * unset, this data directory's own secret (generated at first start in ATRIUM_DATA_DIR/internal-token-secret, mode
 * 0600) through the platform function each service's main.ts also calls. Read after the build, which makes it.
 */
function serviceEnvironment() {
  const { withDevelopmentSecret } = require(path.join(root, 'platform/dist/config/development-secret.js'));
  return withDevelopmentSecret({ ...env, ...derivedUrls() });
}

function start(service) {
  const child = spawn(process.execPath, [path.join(root, service.entry)], {
    cwd: root,
    stdio: 'inherit',
    env: childEnv,
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`✗ ${service.name} exited (${signal || code}); stopping the stack`);
    stop(1);
  });
  children.push(child);
}

async function waitReady(service) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const url = `http://127.0.0.1:${service.port}/readyz`;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${service.name} was not ready within ${READY_TIMEOUT_MS / 1000} s (${url})`);
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('\n▸ stopping…');
  const alive = children.filter((child) => child.exitCode === null && child.signalCode === null);
  let pending = alive.length;
  if (pending === 0) process.exit(code);
  const force = setTimeout(() => {
    for (const child of alive) child.kill('SIGKILL');
    process.exit(code || 1);
  }, 15_000);
  for (const child of alive) {
    child.once('exit', () => {
      if (--pending === 0) {
        clearTimeout(force);
        process.exit(code);
      }
    });
    child.kill('SIGTERM');
  }
}

async function main() {
  if (!process.argv.includes('--no-install'))
    step('installing dependencies', ['install', '--frozen-lockfile']);
  step('building', ['run', 'build']);
  childEnv = serviceEnvironment();
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  const began = Date.now();
  for (const service of SERVICES) start(service);
  await Promise.all(SERVICES.map(waitReady));
  start(GATEWAY);
  await waitReady(GATEWAY);
  const dataDir = env.ATRIUM_DATA_DIR || '.data';
  const mode =
    env.REDIS_URL || env.DATABASE_URL
      ? 'production services (PostgreSQL/Redis)'
      : `embedded (SQLite in ${dataDir.replace(/\/?$/, '/')}, in-process bus and queue)`;
  console.log(`\n✓ Atrium is up in ${((Date.now() - began) / 1000).toFixed(1)} s — ${mode}`);
  console.log(`  Gateway: http://localhost:${GATEWAY.port}/graphql   (Ctrl-C stops everything)`);
  const pages = env.EXPLORER_ENABLED
    ? /^(true|1|yes)$/i.test(env.EXPLORER_ENABLED)
    : env.NODE_ENV !== 'production';
  if (pages)
    console.log(`  Console: http://localhost:${GATEWAY.port}/console   (explorer: open the gateway URL)`);
  console.log('');
}

main().catch((error) => {
  console.error(`✗ ${error.message}`);
  stop(1);
});

#!/usr/bin/env node
// Bundles the explorer (GraphiQL) and the console into dist/ with esbuild: static files the gateway serves, with
// nothing loaded from another origin. A stamp of the inputs' hash makes an unchanged tree cost nothing, so a second
// `npm start` skips this step. `node build.js --force` rebuilds anyway.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = __dirname;
const dist = path.join(root, 'dist');
const stampFile = path.join(dist, '.build-stamp');
// What goes into the bundle: our sources and pages, this script, and the exact dependency versions.
const INPUTS = ['src', 'static', 'build.js', 'package.json', '../pnpm-lock.yaml'];

function filesUnder(entry) {
  const full = path.join(root, entry);
  if (!fs.existsSync(full)) return [];
  if (!fs.statSync(full).isDirectory()) return [full];
  return fs
    .readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((dirent) => dirent.isFile())
    .map((dirent) => path.join(dirent.parentPath, dirent.name));
}

function inputsHash() {
  const hash = crypto.createHash('sha256');
  for (const file of INPUTS.flatMap(filesUnder).sort()) {
    hash.update(path.relative(root, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function moduleFile(specifier) {
  return require.resolve(specifier, { paths: [root] });
}

/** Builds dist/ unless its stamp matches the inputs. Resolves to `{ skipped, ms }`. */
async function buildConsole({ force = false } = {}) {
  const began = Date.now();
  const hash = inputsHash();
  if (!force && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === hash) {
    return { skipped: true, ms: Date.now() - began };
  }
  const esbuild = require('esbuild');
  const staging = path.join(root, `.build-${process.pid}`);
  fs.rmSync(staging, { recursive: true, force: true });
  const common = {
    bundle: true,
    minify: true,
    legalComments: 'linked',
    target: ['chrome120', 'firefox120', 'safari17'],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
    absWorkingDir: root,
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: { explorer: 'src/explorer/main.tsx', console: 'src/console/main.tsx' },
      outdir: path.join(staging, 'assets'),
      format: 'esm',
      splitting: true,
      entryNames: '[name]',
      chunkNames: 'chunk-[hash]',
      assetNames: '[name]-[hash]',
      loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
      jsx: 'automatic',
    }),
    // Monaco (GraphiQL's editor) runs language services in web workers, loaded from our own origin.
    esbuild.build({
      ...common,
      entryPoints: {
        'editor.worker': moduleFile('monaco-editor/esm/vs/editor/editor.worker.js'),
        'json.worker': moduleFile('monaco-editor/esm/vs/language/json/json.worker.js'),
        'graphql.worker': moduleFile('monaco-graphql/esm/graphql.worker.js'),
      },
      outdir: path.join(staging, 'assets'),
      format: 'iife',
    }),
  ]);
  fs.cpSync(path.join(root, 'static'), staging, { recursive: true });
  fs.writeFileSync(path.join(staging, '.build-stamp'), hash);
  // Swap in one step, so a gateway serving dist/ never sees a half-written tree.
  fs.rmSync(dist, { recursive: true, force: true });
  fs.renameSync(staging, dist);
  return { skipped: false, ms: Date.now() - began };
}

module.exports = { buildConsole, dist };

if (require.main === module) {
  buildConsole({ force: process.argv.includes('--force') }).then(
    ({ skipped, ms }) =>
      console.log(skipped ? '  console: up to date (sources unchanged)' : `  console: built in ${ms} ms`),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

// Lets a plain node process run the workspace's TypeScript sources directly, compiled by swc the way Jest
// compiles them, so a test can start a real service process (signals, exit codes) and a benchmark can measure
// the code as it is in the tree, without a build. Used as `node -r ./scripts/ts-register.js file.ts`.
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SWC_OPTIONS = require('./swc-options');
const swc = require(require.resolve('@swc/core', { paths: [ROOT] }));

// jest.config.js's moduleNameMapper, for a plain node process.
const ALIASES = [
  [/^@atrium\/platform\/(.*)$/, 'platform/src/$1'],
  [/^@atrium\/gateway\/(.*)$/, 'gateway/src/$1'],
  [/^@atrium\/subgraph-([a-z]+)\/(.*)$/, 'subgraphs/$1/src/$2'],
  [/^@atrium\/subgraph-([a-z]+)$/, 'subgraphs/$1/src/index'],
  [/^@atrium\/test\/(.*)$/, 'test/src/$1'],
];

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  for (const [pattern, target] of ALIASES) {
    if (pattern.test(request)) {
      return resolveFilename.call(this, path.join(ROOT, request.replace(pattern, target)), ...rest);
    }
  }
  return resolveFilename.call(this, request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...SWC_OPTIONS, filename });
  module._compile(code, filename);
};

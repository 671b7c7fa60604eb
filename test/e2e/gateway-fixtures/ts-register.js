// Lets a child process run the TypeScript sources as they are, compiled by swc the way Jest compiles them, so a
// test can start a real service process (signals, exit code) without a build step.
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const swc = require(require.resolve('@swc/core', { paths: [ROOT] }));

// The workspace packages' sources, as jest.config.js maps them.
const ALIASES = [
  [/^@atrium\/platform\/(.*)$/, 'platform/src/$1'],
  [/^@atrium\/gateway\/(.*)$/, 'gateway/src/$1'],
];

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  for (const [pattern, target] of ALIASES) {
    if (pattern.test(request))
      return resolveFilename.call(this, path.join(ROOT, request.replace(pattern, target)), ...rest);
  }
  return resolveFilename.call(this, request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};

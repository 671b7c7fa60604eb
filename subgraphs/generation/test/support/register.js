// Lets a child process run the TypeScript sources directly (no build), the way jest does: swc compiles each
// .ts file on require, and `@atrium/platform/*` resolves to platform/src like jest's moduleNameMapper.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../../../..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const platform = /^@atrium\/platform\/(.+)$/.exec(request);
  return resolve.call(this, platform ? path.join(root, 'platform/src', platform[1]) : request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
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

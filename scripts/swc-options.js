// How the workspace's TypeScript is compiled on the fly, by Jest and by scripts/ts-register.js alike: legacy
// decorators with metadata (type-graphql and MikroORM read the emitted design types), CommonJS, class names kept.
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

// Test kind is in the file name (CONVENTIONS.md): *.test.ts unit, *.int.test.ts integration, *.e2e.test.ts e2e.
// Sources are compiled by swc on the fly, so tests never need a build; `tsc -b` checks the types separately.
const swc = ['@swc/jest', require('./scripts/swc-options')];

const shared = {
  // oauth4webapi ships only ES modules; Node >= 20.19 requires them natively, Jest's module system needs them
  // compiled to CommonJS like our sources.
  transform: { '^.+\\.ts$': swc, '/oauth4webapi/.+\\.js$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/oauth4webapi@[^/]+/node_modules/)?oauth4webapi/)'],
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@atrium/platform/(.*)$': '<rootDir>/platform/src/$1',
    '^@atrium/subgraph-([a-z]+)/(.*)$': '<rootDir>/subgraphs/$1/src/$2',
    '^@atrium/subgraph-([a-z]+)$': '<rootDir>/subgraphs/$1/src/index',
    '^@atrium/gateway/(.*)$': '<rootDir>/gateway/src/$1',
    '^@atrium/schema/(.*)$': '<rootDir>/schema/src/$1',
    '^@atrium/test/(.*)$': '<rootDir>/test/src/$1',
  },
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  setupFiles: ['reflect-metadata'],
  rootDir: __dirname,
};

module.exports = {
  globalSetup: '<rootDir>/test/global-setup.js',
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int.test.ts'],
      testPathIgnorePatterns: ['/node_modules/'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/integration-timeout.js'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e.test.ts'],
      testPathIgnorePatterns: ['/node_modules/'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/e2e-timeout.js'],
    },
  ],
};

// ESLint here mainly guards the architecture (CONVENTIONS.md); formatting belongs to Prettier.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const importX = require('eslint-plugin-import-x');

const SUBGRAPHS = ['identity', 'integrations', 'generation', 'monitoring'];

const processEnvOnlyInMain = {
  'no-restricted-properties': [
    'error',
    { object: 'process', property: 'env', message: 'Read process.env only in main.ts; pass config down.' },
  ],
};

module.exports = tseslint.config(
  {
    ignores: [
      '**/dist/**',
      'console/.build-*/**',
      '**/node_modules/**',
      '.data/**',
      'coverage/**',
      'scratch/**',
      'test/integrator/.run-*/**',
      // Broken on purpose; test/lint/no-cycle.test.ts lints it with --no-ignore.
      'test/lint-fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        URL: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['platform/src/**/*.ts', 'gateway/src/**/*.ts', 'subgraphs/*/src/**/*.ts', 'schema/src/**/*.ts'],
    ignores: ['**/main.ts', 'platform/src/testing/**'],
    rules: processEnvOnlyInMain,
  },
  {
    // Modules (and so feature folders) never import each other in a cycle: a cycle means two things that
    // cannot be understood, tested or changed apart. Relative imports only; packages never import upwards.
    files: ['**/src/**/*.ts', 'test/lint-fixtures/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['platform/src/**/*.ts'],
    ignores: ['platform/src/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@atrium/*'], message: 'platform knows no domain: it must not import other packages.' },
            { group: ['**/testing', '**/testing/*'], message: 'platform/testing is for tests only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['gateway/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@atrium/subgraph-*'], message: 'The gateway reaches subgraphs over HTTP only.' },
            { group: ['@atrium/platform/testing'], message: 'platform/testing is for tests only.' },
          ],
        },
      ],
    },
  },
  ...SUBGRAPHS.map((name) => ({
    files: [`subgraphs/${name}/src/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@atrium/subgraph-*',
                '@atrium/gateway*',
                ...SUBGRAPHS.filter((other) => other !== name).map((other) => `**/${other}/**`),
              ],
              message:
                'Subgraphs never import each other (or the gateway): they meet only in the supergraph.',
            },
            { group: ['@atrium/platform/testing'], message: 'platform/testing is for tests only.' },
          ],
        },
      ],
    },
  })),
);

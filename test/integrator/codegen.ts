// GraphQL Code Generator configuration of an Atrium integrator (docs/integrators.md walks through it).
// ATRIUM_URL is the gateway's GraphQL endpoint; ATRIUM_API_KEY a key from createApiKey. Introspection needs no
// key, but sending it reads the schema the way the program will call it.
import type { CodegenConfig } from '@graphql-codegen/cli';

const url = process.env.ATRIUM_URL ?? 'http://localhost:4000/graphql';

const shared = {
  // DateTime travels as an RFC 3339 string, JSON as any JSON value.
  scalars: { DateTime: 'string', JSON: 'unknown' },
  strictScalars: true,
  enumsAsTypes: true,
  useTypeImports: true,
};

const config: CodegenConfig = {
  schema: [{ [url]: { headers: { 'x-api-key': process.env.ATRIUM_API_KEY ?? '' } } }],
  documents: ['operations/*.graphql'],
  generates: {
    // Every type of the schema, each with its description as a doc comment.
    'src/generated/schema.ts': { plugins: ['typescript'], config: shared },
    // One result and one variables type per operation, and a typed document for the client.
    'src/generated/operations.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: { ...shared, importSchemaTypesFrom: 'src/generated/schema.ts' },
    },
  },
};

export default config;

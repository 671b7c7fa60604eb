import 'reflect-metadata';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { parse, visit, type GraphQLSchema } from 'graphql';
import { checkSchemas } from '../src/check';
import { SUBGRAPHS, type SubgraphSource } from '../src/subgraphs';

const SCHEMA_DIR = resolve(__dirname, '..');
const CONTRACT = resolve(__dirname, '../../../shared/contract.graphql');
const FILES = ['identity', 'integrations', 'generation', 'monitoring', 'supergraph', 'public'].map(
  (n) => `${n}.graphql`,
);

describe('pnpm schema:check', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'atrium-schema-'));
    for (const file of FILES) await cp(join(SCHEMA_DIR, file), join(dir, file));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('passes on the committed files', async () => {
    expect(await checkSchemas({ subgraphs: SUBGRAPHS, dir, contractPath: CONTRACT })).toEqual({
      drift: [],
      breaking: [],
      contract: [],
    });
  });

  it('fails when a subgraph field changed without regenerating', async () => {
    // The committed integrations SDL still lists a field the code no longer has (as if the code changed).
    const file = join(dir, 'integrations.graphql');
    const sdl = await readFile(file, 'utf8');
    await writeFile(
      file,
      sdl.replace('supportsWebhooks: Boolean!', 'supportsWebhooks: Boolean!\n  legacyField: String'),
    );
    const problems = await checkSchemas({ subgraphs: SUBGRAPHS, dir });
    expect(problems.drift).toEqual(['integrations.graphql']);
  });

  it('fails when the code changes the public API without regenerating, naming the breaking change', async () => {
    const changed: SubgraphSource[] = SUBGRAPHS.map((subgraph) =>
      subgraph.name !== 'integrations'
        ? subgraph
        : {
            ...subgraph,
            build: () => withoutField(subgraph.build(), 'IntegrationProvider', 'supportsWebhooks'),
          },
    );
    const problems = await checkSchemas({ subgraphs: changed, dir });
    expect(problems.drift).toEqual(
      expect.arrayContaining(['integrations.graphql', 'supergraph.graphql', 'public.graphql']),
    );
    expect(problems.breaking).toEqual([expect.stringContaining("Field 'supportsWebhooks' was removed")]);
  });

  it('reports where the public API contradicts the contract', async () => {
    const contract = join(dir, 'contract.graphql');
    const original = await readFile(CONTRACT, 'utf8');
    await writeFile(contract, original.replace('configured: Boolean!', 'configured: String!'));
    const problems = await checkSchemas({ subgraphs: SUBGRAPHS, dir, contractPath: contract });
    expect(problems.contract).toEqual([
      expect.stringContaining("'IntegrationProvider.configured' changed type"),
    ]);
  });
});

/** A copy of a subgraph schema without one field: what a developer's edit of schema.ts would produce. */
function withoutField(schema: GraphQLSchema, type: string, field: string): GraphQLSchema {
  const document = visit(parse(printSubgraphSchema(schema)), {
    ObjectTypeDefinition: (node) =>
      node.name.value === type
        ? { ...node, fields: node.fields?.filter((f) => f.name.value !== field) }
        : undefined,
  });
  return buildSubgraphSchema({ typeDefs: document });
}

import 'reflect-metadata';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import {
  parse,
  visit,
  type FieldDefinitionNode,
  type GraphQLSchema,
  type ObjectTypeDefinitionNode,
} from 'graphql';
import { PENDING_FILE } from '../src/pending';
import { checkSchemas } from '../src/check';
import { SUBGRAPHS, type SubgraphSource } from '../src/subgraphs';

const SCHEMA_DIR = resolve(__dirname, '..');
const CONTRACT = resolve(__dirname, '../../../shared/contract.graphql');
const REPO_DIR = resolve(SCHEMA_DIR, '..');
const FILES = ['identity', 'integrations', 'generation', 'monitoring', 'supergraph', 'public'].map(
  (n) => `${n}.graphql`,
);

// The first check loads and builds all four subgraph schemas: seconds on a machine running the suites in parallel.
jest.setTimeout(60_000);

describe('pnpm schema:check', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'atrium-schema-'));
    for (const file of FILES) await cp(join(SCHEMA_DIR, file), join(dir, file));
    for (const file of [PENDING_FILE, 'contract-pending.txt'])
      await cp(join(SCHEMA_DIR, file), join(dir, file)).catch(() => undefined);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('passes on the committed files, changelog included', async () => {
    const changelog = { repoDir: REPO_DIR, file: join(REPO_DIR, 'docs/schema-changelog.md') };
    expect(await checkSchemas({ subgraphs: SUBGRAPHS, dir, contractPath: CONTRACT, changelog })).toEqual({
      drift: [],
      breaking: [],
      contract: [],
      undescribed: [],
      describedButListed: [],
      deprecations: [],
      coverage: [],
    });
  });

  it('fails when a name of the contract is neither served nor listed as pending, naming it', async () => {
    const contract = join(dir, 'contract.graphql');
    const original = await readFile(CONTRACT, 'utf8');
    await writeFile(
      contract,
      original.replace('mfaEnabled: Boolean!', 'mfaEnabled: Boolean!\n  pronouns: String'),
    );
    const problems = await checkSchemas({ subgraphs: SUBGRAPHS, dir, contractPath: contract });
    expect(problems.coverage).toEqual(["'User.pronouns' of the contract is not served"]);
  });

  it('fails when a served name is still listed as pending, so the list only shrinks', async () => {
    await writeFile(join(dir, 'contract-pending.txt'), 'Query.connections(status)\n', { flag: 'a' });
    const problems = await checkSchemas({ subgraphs: SUBGRAPHS, dir, contractPath: CONTRACT });
    expect(problems.coverage).toEqual([
      expect.stringContaining("'Query.connections(status)' is served but still listed"),
    ]);
  });

  it('fails for an unserved argument and an unserved enum value, not only for whole fields', async () => {
    const contract = join(dir, 'contract.graphql');
    const original = await readFile(CONTRACT, 'utf8');
    await writeFile(
      contract,
      original
        .replace('connection(id: ID!): Connection', 'connection(id: ID!, provider: ID): Connection')
        .replace('enum Role { ADMIN MEMBER VIEWER }', 'enum Role { ADMIN MEMBER VIEWER AUDITOR }'),
    );
    const problems = await checkSchemas({ subgraphs: SUBGRAPHS, dir, contractPath: contract });
    expect(problems.coverage).toEqual([
      expect.stringContaining("'Query.connection(provider)'"),
      expect.stringContaining("'Role.AUDITOR'"),
    ]);
  });

  it('fails on a public name added without a description, naming it', async () => {
    const changed = withSubgraph('integrations', (schema) =>
      withoutDescription(schema, 'Query', 'integrationProviders'),
    );
    const problems = await checkSchemas({ subgraphs: changed, dir });
    expect(problems.undescribed).toEqual(['Query.integrationProviders']);
  });

  it('fails when a listed name is described now, so the list of undescribed names only shrinks', async () => {
    await writeFile(join(dir, PENDING_FILE), 'Query.integrationProviders\n', { flag: 'a' });
    const problems = await checkSchemas({ subgraphs: SUBGRAPHS, dir });
    expect(problems.describedButListed).toEqual(['Query.integrationProviders']);
  });

  it('fails on a @deprecated without a reason and removal date', async () => {
    const changed = withSubgraph('integrations', (schema) =>
      withDirective(schema, 'IntegrationProvider', 'name', '@deprecated'),
    );
    const problems = await checkSchemas({ subgraphs: changed, dir });
    expect(problems.deprecations).toEqual(['IntegrationProvider.name: "No longer supported"']);
  });

  it('fails when the changelog does not tell the last change of the public schema', async () => {
    const file = join(dir, 'schema-changelog.md');
    await cp(join(REPO_DIR, 'docs/schema-changelog.md'), file);
    const changed = withSubgraph('integrations', (schema) =>
      withoutField(schema, 'IntegrationProvider', 'supportsWebhooks'),
    );
    const problems = await checkSchemas({ subgraphs: changed, dir, changelog: { repoDir: REPO_DIR, file } });
    expect(problems.drift).toContain(file);
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
    const changed = withSubgraph('integrations', (schema) =>
      withoutField(schema, 'IntegrationProvider', 'supportsWebhooks'),
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

/** The subgraphs with one of them rebuilt through `change`, as if its code had been edited. */
function withSubgraph(name: string, change: (schema: GraphQLSchema) => GraphQLSchema): SubgraphSource[] {
  return SUBGRAPHS.map((subgraph) =>
    subgraph.name !== name ? subgraph : { ...subgraph, build: () => change(subgraph.build()) },
  );
}

/** A copy of a subgraph schema whose field lost its description. */
function withoutDescription(schema: GraphQLSchema, type: string, field: string): GraphQLSchema {
  return editField(schema, type, field, (node) => ({ ...node, description: undefined }));
}

/** A copy of a subgraph schema with a directive (written as SDL, e.g. `@deprecated`) on one field. */
function withDirective(schema: GraphQLSchema, type: string, field: string, directive: string): GraphQLSchema {
  const [parsed] = (parse(`type X { x: Int ${directive} }`).definitions[0] as ObjectTypeDefinitionNode)
    .fields![0]!.directives!;
  return editField(schema, type, field, (node) => ({
    ...node,
    directives: [...(node.directives ?? []), parsed!],
  }));
}

function editField(
  schema: GraphQLSchema,
  type: string,
  field: string,
  edit: (node: FieldDefinitionNode) => FieldDefinitionNode,
): GraphQLSchema {
  const document = visit(parse(printSubgraphSchema(schema)), {
    ObjectTypeDefinition: (node) =>
      node.name.value === type
        ? { ...node, fields: node.fields?.map((f) => (f.name.value === field ? edit(f) : f)) }
        : undefined,
  });
  return buildSubgraphSchema({ typeDefs: document });
}

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

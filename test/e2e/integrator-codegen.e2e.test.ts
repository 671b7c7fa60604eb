// The integrator's path of docs/integrators.md, for real: GraphQL Code Generator reads the running gateway's
// introspection with an API key, types the example operations of test/integrator, tsc compiles them, and the
// compiled program runs them through a typed client (urql) against the gateway.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSchema, isObjectType } from 'graphql';
import { postGraphQL } from '@atrium/platform/testing';
import { startStack, type Stack } from '@atrium/test/stack';

const run = promisify(execFile);
const EXAMPLE = join(__dirname, '../integrator');
// What `npx graphql-codegen` runs.
const CODEGEN = join(__dirname, '../node_modules/.bin/graphql-codegen');
const TSC = require.resolve('typescript/bin/tsc');
const PUBLIC_SCHEMA = join(__dirname, '../../schema/public.graphql');

describe('an integrator generating a typed client from the gateway', () => {
  let stack: Stack;
  let project: string;
  let env: NodeJS.ProcessEnv;
  let compileErrors: string;
  /** tsc's error report, '' when it compiled cleanly. */
  const tsc = (...args: string[]) =>
    run(process.execPath, [TSC, ...args], { cwd: project }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );

  beforeAll(async () => {
    stack = await startStack();
    const signUp = await postGraphQL<{ signUp: { accessToken: string } }>(
      stack.gatewayUrl,
      'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
      {
        variables: {
          i: { email: 'integrator@example.com', password: 'correct horse battery', displayName: 'Ada' },
        },
      },
    );
    const created = await postGraphQL<{ createApiKey: { secret: string } }>(
      stack.gatewayUrl,
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
      {
        variables: { i: { name: 'codegen', scopes: ['generation:read', 'generation:write'] } },
        headers: { authorization: `Bearer ${signUp.body.data!.signUp.accessToken}` },
      },
    );
    expect(created.body.errors).toBeUndefined();
    env = {
      ...process.env,
      ATRIUM_URL: stack.gatewayUrl,
      ATRIUM_API_KEY: created.body.data!.createApiKey.secret,
    };
    // Inside test/integrator, so the generator's plugins and the client resolve from test/node_modules.
    project = await mkdtemp(join(EXAMPLE, '.run-'));
    for (const entry of ['codegen.ts', 'tsconfig.json', 'operations', 'src']) {
      await cp(join(EXAMPLE, entry), join(project, entry), { recursive: true });
    }
    await run(CODEGEN, ['--config', 'codegen.ts'], { cwd: project, env });
    compileErrors = await tsc('-p', project);
  }, 180_000);

  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
    await stack?.stop();
  });

  it('generates operation types that carry the schema descriptions as doc comments', async () => {
    const operations = await readFile(join(project, 'src/generated/operations.ts'), 'utf8');
    for (const name of [
      'GenerateMutation',
      'GenerationJobQuery',
      'MyJobsQuery',
      'IntegrationProvidersQuery',
    ]) {
      expect(operations).toContain(`export type ${name} =`);
    }
    const generated = await readFile(join(project, 'src/generated/schema.ts'), 'utf8');
    const query = buildSchema(await readFile(PUBLIC_SCHEMA, 'utf8')).getQueryType();
    expect(isObjectType(query) && query.getFields().generationJobs?.description).toBeTruthy();
    expect(generated).toContain(`/** ${query!.getFields().generationJobs!.description} */`);
  });

  it('compiles with tsc, and tsc refuses an operation the schema does not allow', async () => {
    expect(compileErrors).toBe('');
    const wrong = join(project, 'src/wrong.ts');
    await writeFile(
      wrong,
      "import type { GenerateMutationVariables } from './generated/operations';\n" +
        "export const input: GenerateMutationVariables = { input: { kind: 'POEM', prompt: 'x' } };\n",
    );
    const refused = await tsc('-p', project, '--noEmit');
    await rm(wrong);
    expect(refused).toMatch(/wrong\.ts.*Type '"POEM"' is not assignable to type 'GenerationKind'/);
  }, 120_000);

  it('runs the compiled program against the gateway: generate, wait, list', async () => {
    const { stdout } = await run(process.execPath, [join(project, 'dist/client.js')], {
      env,
      timeout: 60_000,
    });
    const report = JSON.parse(stdout);
    expect(report.created).toEqual({ id: expect.any(String), kind: 'SUMMARY', status: 'QUEUED' });
    expect(report.finished).toEqual({
      status: 'SUCCEEDED',
      hasOutput: true,
      usage: { promptTokens: expect.any(Number), completionTokens: expect.any(Number), costUsd: 0 },
    });
    expect(report.latest).toEqual([{ id: report.created.id, title: expect.any(String) }]);
    expect(report.total).toBe(1);
  }, 90_000);
});

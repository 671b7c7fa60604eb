// What an integrator learns from the running gateway alone: the SDL download (conditional, versioned) and the
// descriptions introspection returns for every public name.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { COMMITTED_SUPERGRAPH_PATH, readSupergraph } from '@atrium/gateway/supergraph';
import { readPending } from '@atrium/schema/check';
import { publicNames, undescribedNames } from '@atrium/schema/descriptions';
import { postGraphQL } from '@atrium/platform/testing';
import { closedPort, startGateway, type TestGateway } from './gateway-harness';

const SCHEMA_DIR = join(COMMITTED_SUPERGRAPH_PATH, '..');

describe('the public schema, as integrators read it from the gateway', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    // Introspection and /schema.graphql are answered by the gateway alone: no subgraph needs to run.
    const down = `http://127.0.0.1:${await closedPort()}/graphql`;
    gateway = await startGateway({
      supergraphSdl: readSupergraph(),
      urls: { identity: down, integrations: down, generation: down, monitoring: down },
    });
  });
  afterAll(() => gateway?.stop());

  it('serves GET /schema.graphql with an ETag and a schema version: the SHA-256 of the SDL', async () => {
    const response = await fetch(`${gateway.origin}/schema.graphql`);
    expect(response.status).toBe(200);
    const sdl = await response.text();
    const version = createHash('sha256').update(sdl).digest('hex');
    expect(response.headers.get('x-schema-version')).toBe(version);
    expect(response.headers.get('etag')).toBe(`"${version}"`);
    const committed = readFileSync(join(SCHEMA_DIR, 'public.graphql'), 'utf8');
    expect(committed.endsWith(`${sdl}\n`)).toBe(true);
  });

  it('answers 304 without a body to a matching If-None-Match, and 200 to a stale one', async () => {
    const first = await fetch(`${gateway.origin}/schema.graphql`);
    const etag = first.headers.get('etag')!;
    const again = await fetch(`${gateway.origin}/schema.graphql`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('x-schema-version')).toBe(first.headers.get('x-schema-version'));
    const stale = await fetch(`${gateway.origin}/schema.graphql`, {
      headers: { 'if-none-match': '"0000"' },
    });
    expect(stale.status).toBe(200);
    expect((await stale.text()).length).toBeGreaterThan(0);
  });

  it('stamps GraphQL responses with the same schema version', async () => {
    const sdlVersion = (await fetch(`${gateway.origin}/schema.graphql`)).headers.get('x-schema-version');
    const response = await postGraphQL(gateway.url, '{ __typename }');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-schema-version')).toBe(sdlVersion);
  });

  it('describes every public name in introspection (except those still listed in schema/undescribed.txt)', async () => {
    const query = getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true });
    const response = await postGraphQL<IntrospectionQuery>(gateway.url, query);
    expect(response.status).toBe(200);
    const schema = buildClientSchema(response.body.data!);
    expect(publicNames(schema).length).toBeGreaterThan(100);
    expect(undescribedNames(schema)).toEqual((await readPending(SCHEMA_DIR)).sort());
  });
});

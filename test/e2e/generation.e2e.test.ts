import type { Principal } from '@atrium/platform/auth';
import { subgraphClient } from '@atrium/platform/testing';
import { startStack, type Stack } from '../src/stack';

const alice: Principal = {
  kind: 'user',
  userId: 'u-e2e-alice',
  roles: ['MEMBER'],
  scopes: [],
  sessionId: 's',
  apiKeyId: null,
};

describe('generation exports through the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { GENERATION_LOCAL_CHUNK_DELAY_MS: '0' } });
  });
  afterAll(() => stack?.stop());

  async function asAlice<T>(query: string, variables: Record<string, unknown>) {
    return subgraphClient(stack.subgraphs.generation.url, { audience: 'generation' }).gql<T>(
      alice,
      query,
      variables,
    );
  }

  it('streams a signed PDF export from the generation subgraph, and refuses a forged link', async () => {
    const created = await asAlice<{ generate: { id: string } }>(
      'mutation($input: GenerateInput!) { generate(input: $input) { id } }',
      {
        input: {
          kind: 'PRESENTATION_OUTLINE',
          prompt: 'Launch plan. Pricing. Timeline.',
          title: 'Launch deck',
        },
      },
    );
    const id = created.body.data!.generate.id;
    let url: string | null = null;
    for (let i = 0; i < 100 && !url; i++) {
      const read = await asAlice<{ generationJob: { exportUrl: string | null } }>(
        'query($id: ID!) { generationJob(id: $id) { exportUrl(format: PDF) } }',
        { id },
      );
      url = read.body.data!.generationJob.exportUrl;
      if (!url) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The link names the configured public origin; here that is the gateway listening on an ephemeral port.
    const viaGateway = new URL(url!);
    const gateway = new URL(stack.gatewayUrl);
    viaGateway.protocol = gateway.protocol;
    viaGateway.host = gateway.host;
    const response = await fetch(viaGateway);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    // The PDF's content is checked where it is rendered (subgraphs/generation/test/export.int.test.ts).
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(body.length).toBeGreaterThan(1000);

    viaGateway.searchParams.set('signature', 'forged');
    const forged = await fetch(viaGateway);
    expect(forged.status).toBe(403);
    expect(JSON.stringify(await forged.json())).not.toContain('127.0.0.1');
  });
});

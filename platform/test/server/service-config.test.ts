import { loadConfig } from '@atrium/platform/config';
import { subgraphConfigSpec } from '@atrium/platform/server';

describe('every subgraph’s listen address', () => {
  const load = (env: Record<string, string>) =>
    loadConfig(subgraphConfigSpec('identity', 4001), {
      INTERNAL_TOKEN_SECRET: 'service-config-test-secret',
      ...env,
    });

  it('is loopback by default, so a development subgraph is not reachable from the network', () => {
    expect(load({}).HOST).toBe('127.0.0.1');
  });

  it('is what HOST says when set (docker-compose sets 0.0.0.0)', () => {
    expect(load({ HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  });
});

import { loadGatewayConfig } from '../src/config';

const DEVELOPMENT = { INTERNAL_TOKEN_SECRET: 'explorer-test-internal-secret' };
const PRODUCTION = {
  NODE_ENV: 'production',
  INTERNAL_TOKEN_SECRET: 'a production secret of more than 32 chars',
};

describe('EXPLORER_ENABLED', () => {
  it('serves the explorer by default outside production, and not in production unless set', () => {
    expect(loadGatewayConfig(DEVELOPMENT).explorerEnabled).toBe(true);
    expect(loadGatewayConfig({ ...DEVELOPMENT, NODE_ENV: 'test' }).explorerEnabled).toBe(true);
    expect(loadGatewayConfig(PRODUCTION).explorerEnabled).toBe(false);
    expect(loadGatewayConfig({ ...PRODUCTION, EXPLORER_ENABLED: 'true' }).explorerEnabled).toBe(true);
    expect(loadGatewayConfig({ ...DEVELOPMENT, EXPLORER_ENABLED: 'no' }).explorerEnabled).toBe(false);
  });

  it('names the allowed values when the value is not a boolean', () => {
    expect(() => loadGatewayConfig({ ...DEVELOPMENT, EXPLORER_ENABLED: 'sometimes' })).toThrow(
      /EXPLORER_ENABLED.*one of: true, false/,
    );
  });
});

import { loadIdentityConfig } from '../src/config';

const SECRET = {
  INTERNAL_TOKEN_SECRET: 'identity-config-test-secret',
  IDENTITY_ENCRYPTION_KEY: 'identity-config-test-encryption-key',
};

describe('IDENTITY_ACCESS_TOKEN_TTL_SECONDS', () => {
  it('defaults to 15 minutes', () => {
    expect(loadIdentityConfig(SECRET).accessTokenTtlSeconds).toBe(900);
  });

  it('may be as short as 5 s outside production, so tests can cross an expiry quickly', () => {
    expect(
      loadIdentityConfig({ ...SECRET, IDENTITY_ACCESS_TOKEN_TTL_SECONDS: '5' }).accessTokenTtlSeconds,
    ).toBe(5);
    expect(() => loadIdentityConfig({ ...SECRET, IDENTITY_ACCESS_TOKEN_TTL_SECONDS: '4' })).toThrow(
      /IDENTITY_ACCESS_TOKEN_TTL_SECONDS="4": expected an integer 5\.\.3600/,
    );
  });

  it('is at least a minute in production', () => {
    expect(() =>
      loadIdentityConfig({ NODE_ENV: 'production', IDENTITY_ACCESS_TOKEN_TTL_SECONDS: '59' }),
    ).toThrow(/IDENTITY_ACCESS_TOKEN_TTL_SECONDS="59": expected an integer 60\.\.3600/);
  });
});

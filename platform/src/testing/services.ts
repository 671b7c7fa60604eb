import { randomBytes } from 'node:crypto';

/**
 * Which real services the test run may use. `test/global-setup.js` probes PostgreSQL and Redis once and
 * exports their URLs; with REQUIRE_SERVICES=1 an unreachable service fails the whole run instead.
 */
export const testServices = {
  get redisUrl(): string | undefined {
    return process.env.ATRIUM_TEST_REDIS_URL || undefined;
  },
  get postgresUrl(): string | undefined {
    return process.env.ATRIUM_TEST_POSTGRES_URL || undefined;
  },
};

/**
 * `describe` when every service named is reachable, otherwise a skip naming what is missing (under
 * REQUIRE_SERVICES=1 global setup fails the run before any skip).
 */
function describeWhenReachable(needs: { redis?: boolean; postgres?: boolean }): jest.Describe {
  const missing = [
    needs.postgres && !testServices.postgresUrl ? 'PostgreSQL' : undefined,
    needs.redis && !testServices.redisUrl ? 'Redis' : undefined,
  ].filter(Boolean);
  if (missing.length === 0) return describe;
  return ((name: string, fn: () => void) =>
    describe.skip(
      `${name} [skipped: ${missing.join(' and ')} not reachable; REQUIRE_SERVICES=1 makes this fail]`,
      fn,
    )) as jest.Describe;
}

export const describeWithRedis = describeWhenReachable({ redis: true });
export const describeWithPostgres = describeWhenReachable({ postgres: true });
/** For a suite that claims both PostgreSQL and Redis. */
export const describeWithPostgresAndRedis = describeWhenReachable({ postgres: true, redis: true });

/** A key prefix no other test file shares, so parallel test files never see each other's Redis keys. */
export function randomRedisPrefix(label = 'test'): string {
  return `atrium-test:${label}:${randomBytes(6).toString('hex')}:`;
}

export function randomName(label: string): string {
  return `${label}_${randomBytes(6).toString('hex')}`;
}

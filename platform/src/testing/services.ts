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

/** `describe` when Redis is reachable, otherwise a skip whose name says why. */
export const describeWithRedis: jest.Describe = (
  testServices.redisUrl
    ? describe
    : (name: string, fn: () => void) =>
        describe.skip(`${name} [skipped: Redis not reachable; REQUIRE_SERVICES=1 makes this fail]`, fn)
) as jest.Describe;

/** `describe` when PostgreSQL is reachable, otherwise a skip whose name says why. */
export const describeWithPostgres: jest.Describe = (
  testServices.postgresUrl
    ? describe
    : (name: string, fn: () => void) =>
        describe.skip(`${name} [skipped: PostgreSQL not reachable; REQUIRE_SERVICES=1 makes this fail]`, fn)
) as jest.Describe;

/**
 * `describe` when both PostgreSQL and Redis are reachable, otherwise a skip naming what is missing — for a
 * suite that claims both (under REQUIRE_SERVICES=1 global setup fails the run before any skip).
 */
export const describeWithPostgresAndRedis: jest.Describe = (
  testServices.postgresUrl && testServices.redisUrl
    ? describe
    : (name: string, fn: () => void) =>
        describe.skip(
          `${name} [skipped: ${[
            testServices.postgresUrl ? undefined : 'PostgreSQL',
            testServices.redisUrl ? undefined : 'Redis',
          ]
            .filter(Boolean)
            .join(' and ')} not reachable; REQUIRE_SERVICES=1 makes this fail]`,
          fn,
        )
) as jest.Describe;

/** A key prefix no other test file shares, so parallel test files never see each other's Redis keys. */
export function randomRedisPrefix(label = 'test'): string {
  return `atrium-test:${label}:${randomBytes(6).toString('hex')}:`;
}

export function randomName(label: string): string {
  return `${label}_${randomBytes(6).toString('hex')}`;
}

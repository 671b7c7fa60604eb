import 'reflect-metadata';
import { Writable } from 'node:stream';
import { jwtVerify, createLocalJWKSet } from 'jose';
import {
  ANONYMOUS,
  INTERNAL_ASSERTION_HEADER,
  signInternalAssertion,
  type Principal,
  type Role,
} from '@atrium/platform/auth';
import { createLogger } from '@atrium/platform/logging';
import {
  describeWithPostgresAndRedis,
  freshPostgresDatabase,
  freshSqliteDatabase,
  Leftovers,
  postGraphQL,
  randomRedisPrefix,
  testServices,
  type GraphQLResponse,
  type TestDatabase,
} from '@atrium/platform/testing';
import { loadIdentityConfig } from '../src/config';
import { createIdentityServer, type IdentityServer } from '../src/server';

export const SECRET = 'identity-test-internal-secret-0123456789abcdef';
export const PASSWORD = 'correct horse battery staple';

/**
 * The two modes every identity suite runs in: production (PostgreSQL + Redis) and embedded (SQLite +
 * in-process limiter, lock and cache). Same tests, same assertions.
 */
export const MODES = [
  {
    name: 'PostgreSQL + Redis',
    describe: describeWithPostgresAndRedis,
    fresh: () => freshPostgresDatabase('identity'),
    redis: true,
  },
  { name: 'embedded SQLite', describe, fresh: freshSqliteDatabase, redis: false },
] as const;
export type Mode = (typeof MODES)[number];

export interface CallOptions {
  variables?: Record<string, unknown>;
  /** An access token from an AuthPayload: the principal the gateway would build from it. */
  token?: string;
  principal?: Principal;
  ip?: string;
  userAgent?: string;
}

export interface Identity {
  server: IdentityServer;
  url: string;
  origin: string;
  /** Every log line the server wrote, to check that no secret ever reaches one. */
  logs: string[];
  /** Sends an operation the way the gateway does: with an assertion carrying the principal, IP and UA. */
  call<T = Record<string, any>>(query: string, options?: CallOptions): Promise<GraphQLResponse<T>>;
  /** The principal the gateway would build from one of this server's access tokens (verified). */
  principalOf(accessToken: string): Promise<Principal>;
  stop(): Promise<void>;
}

export async function startIdentity(
  mode: Mode,
  leftovers: Leftovers,
  env: Record<string, string | undefined> = {},
): Promise<Identity> {
  const db: TestDatabase = leftovers.add(await mode.fresh(), (it) => it.drop());
  const logs: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) });
  const log = createLogger({ service: 'identity-test', level: 'debug', pretty: false, destination: sink });
  const config = loadIdentityConfig({
    INTERNAL_TOKEN_SECRET: SECRET,
    ATRIUM_DATA_DIR: db.dataDir,
    IDENTITY_DATABASE_URL: db.databaseUrl,
    ...(mode.redis
      ? { REDIS_URL: testServices.redisUrl, REDIS_KEY_PREFIX: randomRedisPrefix('identity') }
      : {}),
    ...env,
  });
  const server = await createIdentityServer({ config, log });
  let stopped = false;
  const stop = async () => {
    if (!stopped) await server.stop();
    stopped = true;
  };
  leftovers.defer(stop);
  const { url } = await server.listen(0, '127.0.0.1');
  const jwks = createLocalJWKSet(server.app.keys.jwks);

  const principalOf = async (accessToken: string): Promise<Principal> => {
    const { payload } = await jwtVerify(accessToken, jwks, {
      algorithms: ['ES256'],
      issuer: config.issuer,
      audience: config.audience,
      typ: 'at+jwt',
    });
    return {
      ...ANONYMOUS,
      kind: 'user',
      userId: payload.sub as string,
      roles: payload.roles as Role[],
      sessionId: payload.sid as string,
    };
  };

  const call = async <T>(query: string, options: CallOptions = {}) => {
    const principal = options.principal ?? (options.token ? await principalOf(options.token) : ANONYMOUS);
    const assertion = await signInternalAssertion(principal, {
      secret: SECRET,
      audience: 'identity',
      clientIp: options.ip ?? '198.51.100.1',
      userAgent: options.userAgent ?? 'identity-test',
    });
    return postGraphQL<T>(url, query, {
      variables: options.variables,
      headers: { [INTERNAL_ASSERTION_HEADER]: assertion },
    });
  };

  return { server, url, origin: new URL(url).origin, logs, call, principalOf, stop };
}

export const AUTH_FIELDS =
  'accessToken refreshToken accessTokenExpiresAt user { id email displayName roles mfaEnabled }';

export interface Account {
  id: string;
  email: string;
  accessToken: string;
  refreshToken: string;
  roles: string[];
}

let counter = 0;
/** A unique email for this test run. */
export function uniqueEmail(label = 'user'): string {
  counter += 1;
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter}@example.test`;
}

/** Signs up through the API and returns the account with its tokens. */
export async function signUp(
  identity: Identity,
  options: { email?: string; password?: string; displayName?: string; ip?: string } = {},
): Promise<Account> {
  const email = options.email ?? uniqueEmail();
  const response = await identity.call<{ signUp: any }>(
    `mutation($input: SignUpInput!) { signUp(input: $input) { ${AUTH_FIELDS} } }`,
    {
      variables: {
        input: {
          email,
          password: options.password ?? PASSWORD,
          displayName: options.displayName ?? 'Test User',
        },
      },
      ip: options.ip ?? `203.0.113.${(counter % 250) + 1}`,
    },
  );
  const payload = response.body.data?.signUp;
  if (!payload) throw new Error(`signUp failed: ${JSON.stringify(response.body.errors)}`);
  return {
    id: payload.user.id,
    email: payload.user.email,
    accessToken: payload.accessToken,
    refreshToken: payload.refreshToken,
    roles: payload.user.roles,
  };
}

/** The first error's code, or undefined. */
export function codeOf(response: GraphQLResponse<unknown>): unknown {
  return response.body.errors?.[0]?.extensions?.code;
}

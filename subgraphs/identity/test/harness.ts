import 'reflect-metadata';
import { jwtVerify, createLocalJWKSet } from 'jose';
import { ANONYMOUS, type Principal, type Role } from '@atrium/platform/auth';
import {
  describeFor,
  LogCapture,
  startTestSubgraph,
  SUBGRAPH_MODES,
  TEST_INTERNAL_SECRET,
  type GraphQLResponse,
  type Leftovers,
  type TestEnv,
  type TestMode,
} from '@atrium/platform/testing';
import { loadIdentityConfig } from '../src/config';
import { createIdentityServer, type IdentityServer } from '../src/server';

export const SECRET = TEST_INTERNAL_SECRET;
export const PASSWORD = 'correct horse battery staple';

/**
 * The two modes every identity suite runs in: production (PostgreSQL + Redis) and embedded (SQLite +
 * in-process limiter, lock and cache). Same tests, same assertions.
 */
export const MODES = SUBGRAPH_MODES.map((mode) => ({ ...mode, describe: describeFor(mode) }));
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
  /** This server's environment: pass it as `env` to start a second replica on the same database and keys. */
  env: TestEnv;
  /** Sends an operation the way the gateway does: with an assertion carrying the principal, IP and UA. */
  call<T = Record<string, any>>(query: string, options?: CallOptions): Promise<GraphQLResponse<T>>;
  /** The assertion the gateway would sign for `principal`. */
  assertion(principal: Principal): Promise<string>;
  /** The principal the gateway would build from one of this server's access tokens (verified). */
  principalOf(accessToken: string): Promise<Principal>;
  stop(): Promise<void>;
}

export async function startIdentity(
  mode: Pick<TestMode, 'database' | 'redis'>,
  leftovers: Leftovers,
  env: TestEnv = {},
): Promise<Identity> {
  const capture = new LogCapture('identity-test');
  const { log, raw: logs } = capture;
  const subgraph = await startTestSubgraph({
    name: 'identity',
    start: (vars) => createIdentityServer({ config: loadIdentityConfig(vars), log }),
    leftovers,
    deployment: mode,
    env: { IDENTITY_ENCRYPTION_KEY: 'identity-test-encryption-key-0123456789abcdef', ...env },
  });
  const { server, url } = subgraph;
  const config = server.app.config;
  const stop = () => server.stop();
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
    return subgraph.gql<T>(principal, query, options.variables, {
      clientIp: options.ip ?? '198.51.100.1',
      userAgent: options.userAgent ?? 'identity-test',
    });
  };

  return {
    server,
    url,
    origin: subgraph.origin,
    logs,
    env: subgraph.env,
    call,
    principalOf,
    stop,
    assertion: subgraph.assertion,
  };
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

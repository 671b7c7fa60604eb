// Stock @apollo/gateway as a benchmark baseline: the same supergraph and subgraphs as Atrium's gateway, served by
// @apollo/server's standalone HTTP server, with nothing of Atrium's added. It does only what these subgraphs
// demand of any gateway in front of them — verify the client's access token against identity's JWKS and sign the
// internal assertion on each subgraph fetch — the way a team would write it from Apollo's documentation.
// Prints `STOCK <url>` once it listens; exits 0 on SIGTERM (so `--cpu-prof` writes its profile).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import {
  ANONYMOUS,
  INTERNAL_ASSERTION_HEADER,
  signInternalAssertion,
  type Principal,
} from '@atrium/platform/auth';

interface Context {
  principal: Principal;
}

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

async function main(): Promise<void> {
  const secret = env('INTERNAL_TOKEN_SECRET');
  const urls: Record<string, string> = {
    identity: env('IDENTITY_URL'),
    integrations: env('INTEGRATIONS_URL'),
    generation: env('GENERATION_URL'),
    monitoring: env('MONITORING_URL'),
  };
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', urls.identity));
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(join(__dirname, '../../../schema/supergraph.graphql'), 'utf8'),
    buildService: ({ name }) =>
      new (class extends RemoteGraphQLDataSource<Context> {
        override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>) {
          const assertion = await signInternalAssertion(context.principal ?? ANONYMOUS, {
            secret,
            audience: name,
          });
          request.http?.headers.set(INTERNAL_ASSERTION_HEADER, assertion);
        }
      })({ url: urls[name] }),
  });
  const server = new ApolloServer<Context>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }): Promise<Context> => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token) return { principal: ANONYMOUS };
      const { payload } = await jwtVerify(token, jwks, {
        algorithms: ['ES256'],
        issuer: 'atrium-identity',
        audience: 'atrium-api',
      });
      return {
        principal: {
          ...ANONYMOUS,
          kind: 'user' as const,
          userId: String(payload.sub),
          roles: payload.roles as Principal['roles'],
          sessionId: String(payload.sid),
        },
      };
    },
  });
  process.once('SIGTERM', () => void server.stop().finally(() => process.exit(0)));
  process.stdout.write(`STOCK ${url}graphql\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

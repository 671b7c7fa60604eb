import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { INTERNAL_ASSERTION_HEADER, signInternalAssertion, type Principal } from '../auth';
import { postGraphQL, type GraphQLResponse } from './http';
import type { Leftovers } from './leftovers';

/** The INTERNAL_TOKEN_SECRET every test deployment shares unless a test is about the secret itself. */
export const TEST_INTERNAL_SECRET = 'atrium-test-internal-secret-0123456789abcdef';

/** What the gateway forwards about the client in its assertion. */
export interface CallerDetails {
  clientIp?: string;
  userAgent?: string;
}

/** A subgraph reached the way the gateway reaches it: every call carries a signed assertion for a principal. */
export interface SubgraphClient {
  /** The assertion the gateway would sign for `principal`. */
  assertion(principal: Principal, caller?: CallerDetails): Promise<string>;
  /** POSTs one operation as `principal`. */
  gql<T = Record<string, any>>(
    principal: Principal,
    query: string,
    variables?: Record<string, unknown>,
    caller?: CallerDetails,
  ): Promise<GraphQLResponse<T>>;
  /** A graphql-ws client on the subgraph as `principal` (lazy, no retries), disposed with `leftovers`. */
  ws(principal: Principal, leftovers: Leftovers): Client;
}

export function subgraphClient(url: string, options: { audience: string; secret?: string }): SubgraphClient {
  const assertion = (principal: Principal, caller: CallerDetails = {}) =>
    signInternalAssertion(principal, {
      secret: options.secret ?? TEST_INTERNAL_SECRET,
      audience: options.audience,
      ...caller,
    });
  return {
    assertion,
    gql: async (principal, query, variables, caller) =>
      postGraphQL(url, query, {
        variables,
        headers: { [INTERNAL_ASSERTION_HEADER]: await assertion(principal, caller) },
      }),
    ws: (principal, leftovers) =>
      leftovers.add(
        createClient({
          url: url.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          lazy: true,
          connectionParams: async () => ({ [INTERNAL_ASSERTION_HEADER]: await assertion(principal) }),
        }),
        (client) => client.dispose(),
      ),
  };
}

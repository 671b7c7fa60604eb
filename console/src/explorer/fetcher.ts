import { createGraphiQLFetcher, type Fetcher, type FetcherParams } from '@graphiql/toolkit';
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { GRAPHQL_HTTP_URL, graphqlWsUrl } from '../shared/endpoints';

type Headers = Record<string, unknown>;

/**
 * The credential of the Headers tab as graphql-ws carries it (ARCHITECTURE.md): `Authorization` as written, or
 * an `x-api-key` turned into a Bearer value, in the `connection_init` payload — never in the socket's URL.
 */
export function connectionAuthorization(headers: Headers | undefined): string | undefined {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value !== 'string' || value.trim() === '') continue;
    if (name.toLowerCase() === 'authorization') return value.trim();
    if (name.toLowerCase() === 'x-api-key') return `Bearer ${value.trim()}`;
  }
  return undefined;
}

/**
 * GraphiQL's fetcher: queries and mutations as JSON POSTs with the Headers tab's headers; subscriptions over
 * graphql-ws with one socket per credential, so changing the Authorization header opens a socket that
 * authenticates as the new caller (the old one closes once idle).
 */
export function createExplorerFetcher(): Fetcher {
  const http = createGraphiQLFetcher({ url: GRAPHQL_HTTP_URL, enableIncrementalDelivery: false });
  let socket: { authorization: string | undefined; client: Client } | undefined;

  const clientFor = (authorization: string | undefined): Client => {
    if (socket && socket.authorization === authorization) return socket.client;
    void socket?.client.dispose();
    const client = createClient({
      url: graphqlWsUrl(),
      lazy: true,
      retryAttempts: 0,
      connectionParams: authorization ? { authorization } : {},
    });
    socket = { authorization, client };
    return client;
  };

  return (params, options) => {
    if (!isSubscription(options?.documentAST, params.operationName)) return http(params, options);
    const authorization = connectionAuthorization(options?.headers as Headers | undefined);
    // GraphiQL types events as ExecutionResult; over the wire they are the formatted (JSON) form it prints.
    return subscribe(clientFor(authorization), params) as AsyncGenerator<ExecutionResult>;
  };
}

function isSubscription(
  document: DocumentNode | undefined,
  operationName: string | null | undefined,
): boolean {
  return document !== undefined && getOperationAST(document, operationName)?.operation === 'subscription';
}

/** The subscription's events; a closed socket becomes an Error GraphiQL can print (it shows the close code). */
async function* subscribe(client: Client, params: FetcherParams) {
  try {
    yield* client.iterate({
      query: params.query,
      operationName: params.operationName ?? undefined,
      variables: params.variables ?? undefined,
    });
  } catch (error) {
    if (error instanceof CloseEvent)
      throw new Error(`The socket closed: ${error.code} ${error.reason}`.trim(), { cause: error });
    throw error;
  }
}

import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

/** The base URL of a server listening on an ephemeral port (tests always listen on port 0). */
export function baseUrl(server: Server): string {
  const address = server.address() as AddressInfo | null;
  if (!address) throw new Error('server is not listening');
  return `http://127.0.0.1:${address.port}`;
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: T | null;
    errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  };
}

/** POSTs a GraphQL operation the way a browser client would, and returns status, headers and parsed body. */
export async function postGraphQL<T = Record<string, unknown>>(
  url: string,
  query: string,
  options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  const text = await response.text();
  let body: GraphQLResponse<T>['body'];
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, headers: response.headers, body };
}

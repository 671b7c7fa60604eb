// graphql-ws clients for the subscription suites: the real client a frontend uses (graphql-ws + ws on Node 20).
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';
import { postGraphQL } from '@atrium/platform/testing';

export interface WsResult<T = any> {
  data?: T | null;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
}

/** The gateway's WebSocket URL for its HTTP GraphQL URL. */
export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

/** A graphql-ws client the way a frontend makes one: credentials in `connection_init`, no retries by default. */
export function wsClient(
  httpUrl: string,
  authorization: string | undefined,
  options: Partial<ClientOptions> = {},
): Client {
  return createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: authorization === undefined ? {} : { authorization },
    ...options,
  });
}

/** Every result of one operation until it completes (or fails), in order. */
export async function collect<T = any>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
  options: { until?: (result: WsResult<T>) => boolean; onResult?: (result: WsResult<T>) => void } = {},
): Promise<{ results: WsResult<T>[]; error?: unknown }> {
  const results: WsResult<T>[] = [];
  try {
    for await (const result of client.iterate<T>({ query, variables })) {
      results.push(result as WsResult<T>);
      options.onResult?.(result as WsResult<T>);
      if (options.until?.(result as WsResult<T>)) break;
    }
    return { results };
  } catch (error) {
    return { results, error };
  }
}

/** The close code (and reason) a raw graphql-transport-ws socket receives after the given messages. */
export async function rawSocket(
  httpUrl: string,
  options: { protocol?: string; headers?: Record<string, string> } = {},
): Promise<{
  socket: WebSocket;
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
  send(message: unknown): void;
}> {
  const protocol = options.protocol ?? 'graphql-transport-ws';
  const socket = new WebSocket(wsUrl(httpUrl), protocol === '' ? [] : protocol, {
    headers: options.headers,
  });
  const messages: any[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    messages,
    closed,
    opened,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
  };
}

/** Waits until `condition` holds, polling (no wall-clock assertion: the test fails only by its own timeout). */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  intervalMs = 20,
): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}

const PASSWORD = 'a subscriptions e2e password';

/** Signs a new user up through the gateway; returns its access token and id. */
export async function signUp(
  gatewayUrl: string,
  displayName: string,
): Promise<{ accessToken: string; userId: string; email: string }> {
  const email = `${displayName.toLowerCase().replace(/\W+/g, '-')}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const response = await postGraphQL<{ signUp: { accessToken: string; user: { id: string } } }>(
    gatewayUrl,
    'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } } }',
    { variables: { i: { email, password: PASSWORD, displayName } } },
  );
  if (!response.body.data) throw new Error(`sign-up failed: ${JSON.stringify(response.body)}`);
  return {
    accessToken: response.body.data.signUp.accessToken,
    userId: response.body.data.signUp.user.id,
    email,
  };
}

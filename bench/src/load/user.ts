import { createClient, type Client } from 'graphql-ws';
import { Pool } from 'undici';
import WebSocket from 'ws';

/** One operation's outcome: its latency, or the error code it ended with. */
export interface Sample {
  operation: string;
  ms: number;
  /** performance.now() when it ended: steps select their samples by time. */
  at: number;
  error?: string;
}

export class GraphQLFailure extends Error {
  constructor(
    readonly code: string,
    /** From a 503's Retry-After: how long a real client waits before trying again. */
    readonly retryAfterMs?: number,
  ) {
    super(code);
  }
}

/**
 * A shed request (503) must say when to come back; one without Retry-After is its own error code so the report
 * shows it instead of counting it as ordinary shedding.
 */
function failure(code: string, status: number, headers: Record<string, string | string[] | undefined>) {
  if (status !== 503) return new GraphQLFailure(code);
  const retryAfter = Number(headers['retry-after']);
  if (!Number.isFinite(retryAfter)) return new GraphQLFailure(`${code}_WITHOUT_RETRY_AFTER`);
  return new GraphQLFailure(code, retryAfter * 1000);
}

/** The HTTP side of the virtual users: one keep-alive pool to the gateway, shared like a browser fleet's LB. */
export function httpClient(gatewayUrl: string, connections: number) {
  const url = new URL(gatewayUrl);
  const pool = new Pool(url.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  return {
    async graphql<T>(
      query: string,
      variables: Record<string, unknown> | undefined,
      token?: string,
    ): Promise<T> {
      const response = await pool.request({
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.body.text();
      let body: { data?: T; errors?: Array<{ extensions?: { code?: string } }> };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw failure(`HTTP_${response.statusCode}`, response.statusCode, response.headers);
      }
      if (body.errors?.length)
        throw failure(
          body.errors[0]?.extensions?.code ?? `HTTP_${response.statusCode}`,
          response.statusCode,
          response.headers,
        );
      if (response.statusCode !== 200)
        throw failure(`HTTP_${response.statusCode}`, response.statusCode, response.headers);
      return body.data as T;
    },
    async get(href: string): Promise<number> {
      const target = new URL(href, url.origin);
      const response = await pool.request({ path: `${target.pathname}${target.search}`, method: 'GET' });
      await response.body.dump();
      if (response.statusCode !== 200)
        throw failure(`HTTP_${response.statusCode}`, response.statusCode, response.headers);
      return response.statusCode;
    },
    close: () => pool.close(),
  };
}

export type HttpClient = ReturnType<typeof httpClient>;

/**
 * A graphql-ws client for one user, through the gateway. Lazy: it connects for a watch and closes after it, and
 * each connection_init carries the user's current access token (it changes at every refresh).
 */
export function wsClient(gatewayUrl: string, token: () => string): Client {
  return createClient({
    url: gatewayUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: () => ({ authorization: `Bearer ${token()}` }),
    lazy: true,
    retryAttempts: 0,
  });
}

/** Resolves when the job's subscription reports a terminal state (SNAPSHOT first, then changes). */
export function watchJob(client: Client, jobId: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let last = 'UNKNOWN';
    client.subscribe<{ generationJobUpdated: { type: string; job: { status: string } } }>(
      {
        query: 'subscription($id: ID!) { generationJobUpdated(id: $id) { type job { status } } }',
        variables: { id: jobId },
      },
      {
        next: ({ data, errors }) => {
          if (errors?.length)
            return reject(new GraphQLFailure(String(errors[0]?.extensions?.code ?? 'SUBSCRIPTION_ERROR')));
          last = data?.generationJobUpdated.job.status ?? last;
        },
        error: (error) => reject(new GraphQLFailure(error instanceof Error ? 'WS_ERROR' : 'WS_CLOSED')),
        complete: () => resolve(last),
      },
    );
  });
}

import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';

export interface SubgraphHttpClientOptions {
  /** Sockets per subgraph (per host); further calls queue for a free one. */
  maxSockets: number;
  /** A response body larger than this is refused with ResponseTooLargeError (and the socket dropped). */
  maxResponseBytes: number;
}

export interface SubgraphHttpResponse {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** The subgraph's body went over `maxResponseBytes`. */
export class ResponseTooLargeError extends Error {
  readonly code = 'RESPONSE_TOO_LARGE';
}

/**
 * A transport-level failure (refused, reset, DNS…). `reusedSocket` tells a reset of a pooled keep-alive socket
 * the server had just closed — the one failure worth retrying at once, for idempotent calls.
 */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    readonly reusedSocket: boolean,
    options: { cause: unknown },
  ) {
    super(`subgraph transport failure (${code})`, options);
    this.name = 'TransportError';
  }
}

// The server side keeps sockets 65 s (platform applyServerTimeouts); dropping ours sooner means the gateway
// never writes into a socket the subgraph is closing.
const IDLE_SOCKET_MS = 30_000;

/**
 * POSTs JSON to subgraphs over keep-alive sockets (node:http: lighter per call than fetch's web streams).
 * The caller's AbortSignal destroys the request and its socket at once, so a frozen subgraph costs nothing
 * after its timeout.
 */
export class SubgraphHttpClient {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;
  private closed = false;

  constructor(private readonly options: SubgraphHttpClientOptions) {
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxFreeSockets: Math.min(options.maxSockets, 64),
      timeout: IDLE_SOCKET_MS,
      scheduling: 'lifo' as const,
    };
    this.http = new HttpAgent(agentOptions);
    this.https = new HttpsAgent(agentOptions);
  }

  post(
    url: URL,
    body: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<SubgraphHttpResponse> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send({
        ...targetOf(url),
        method: 'POST',
        agent: secure ? this.https : this.http,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      });
      // One listener of our own rather than request's `signal` option, which also watches the request with
      // end-of-stream (half a dozen listeners per call); destroying the request frees its socket either way.
      const onAbort = () => req.destroy(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      const done = () => signal.removeEventListener('abort', onAbort);
      const fail = (error: NodeJS.ErrnoException) => {
        done();
        if (signal.aborted) reject(signal.reason as Error);
        else reject(new TransportError(error.code ?? 'ERROR', req.reusedSocket, { cause: error }));
      };
      req.once('error', fail);
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.options.maxResponseBytes) {
            done();
            res.destroy();
            req.destroy();
            reject(new ResponseTooLargeError('subgraph response too large'));
            return;
          }
          chunks.push(chunk);
        });
        res.once('end', () => {
          done();
          resolve({
            status: res.statusCode ?? 0,
            contentType: contentTypeOf(res.headers),
            body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.once('error', fail);
      });
      req.end(body);
    });
  }

  /** False once `close()` ran: no call can be made any more (the gateway's readiness reports it). */
  get isOpen(): boolean {
    return !this.closed;
  }

  /** Closes every pooled socket. */
  close(): void {
    this.closed = true;
    this.http.destroy();
    this.https.destroy();
  }
}

// What node:http makes of a URL on every call (node:url's urlToHttpOptions), made once per subgraph URL.
const targets = new WeakMap<URL, ReturnType<typeof urlToHttpOptions>>();

function targetOf(url: URL): ReturnType<typeof urlToHttpOptions> {
  let target = targets.get(url);
  if (!target) targets.set(url, (target = urlToHttpOptions(url)));
  return target;
}

function contentTypeOf(headers: IncomingHttpHeaders): string | undefined {
  return headers['content-type'];
}

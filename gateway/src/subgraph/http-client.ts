import { Pool, type Dispatcher } from 'undici';
import type { StopSignal } from '@atrium/platform/resilience';

export interface SubgraphHttpClientOptions {
  /** Connections per subgraph (per origin); further calls queue for a free one. */
  maxSockets: number;
  /** A response body larger than this is refused with ResponseTooLargeError (and the connection dropped). */
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
 * A transport-level failure (refused, reset, DNS…). `reusedSocket` tells a failure on a pooled keep-alive
 * connection that had already carried an answer (the subgraph closing it as the call went out).
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
// never writes into a socket the subgraph is closing. undici would otherwise keep them 4 s, or as long as the
// server's Keep-Alive hint (65 s) minus 1 s.
const IDLE_SOCKET_MS = 30_000;

/**
 * POSTs JSON to subgraphs over keep-alive connections: one undici Pool per subgraph origin (pipelining 1),
 * driven through `dispatch` with a handler of our own, so a call costs neither a response stream nor fetch's
 * web streams. The caller's stop signal (an AbortSignal or a cheaper Stop) rejects at once and drops the
 * connection the call holds (or the one it gets if it was still queued), so a frozen subgraph costs nothing
 * after its timeout.
 *
 * undici never retries a POST by itself (it replays only requests not yet written to a connection that
 * closed); the one retry of a reset connection for queries is the policy's (resilience.ts).
 */
export class SubgraphHttpClient {
  private readonly pools = new Map<string, Pool>();
  private readonly targets = new WeakMap<URL, { pool: Pool; path: string }>();
  private closed = false;

  constructor(private readonly options: SubgraphHttpClientOptions) {}

  post(
    url: URL,
    body: string,
    headers: Record<string, string>,
    signal: StopSignal,
  ): Promise<SubgraphHttpResponse> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    const { pool, path } = this.targetOf(url);
    return new Promise((resolve, reject) => {
      const call = new Call(resolve, reject, signal, this.options.maxResponseBytes);
      pool.dispatch({ path, method: 'POST', headers, body }, call);
    });
  }

  /** False once `close()` ran: no call can be made any more (the gateway's readiness reports it). */
  get isOpen(): boolean {
    return !this.closed;
  }

  /** Closes every pooled connection, failing the calls still on them. */
  close(): void {
    this.closed = true;
    for (const pool of this.pools.values()) pool.destroy().catch(() => undefined);
    this.pools.clear();
  }

  private targetOf(url: URL): { pool: Pool; path: string } {
    let target = this.targets.get(url);
    if (target) return target;
    let pool = this.pools.get(url.origin);
    if (!pool) {
      if (this.closed) throw new Error('subgraph client closed');
      pool = new Pool(url.origin, {
        connections: this.options.maxSockets,
        pipelining: 1,
        keepAliveTimeout: IDLE_SOCKET_MS,
        keepAliveMaxTimeout: IDLE_SOCKET_MS,
        // No headers/body timers of undici's own (300 s each, re-armed per call): every call runs under its
        // policy's timeout and the request's deadline, whose AbortSignal drops the connection well before.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.pools.set(url.origin, pool);
    }
    target = { pool, path: url.pathname + url.search };
    this.targets.set(url, target);
    return target;
  }
}

/** One call's undici handler: collects the body up to the limit and settles the caller's promise once. */
class Call implements Dispatcher.DispatchHandlers {
  private abortCall: ((error?: Error) => void) | undefined;
  private settled = false;
  private status = 0;
  private contentType: string | undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private readonly onAbort = () => this.fail(this.signal.reason as Error);

  constructor(
    private readonly resolve: (response: SubgraphHttpResponse) => void,
    private readonly reject: (error: Error) => void,
    private readonly signal: StopSignal,
    private readonly maxBytes: number,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  onConnect(abort: (error?: Error) => void): void {
    // A call given up while queued drops the connection it was handed rather than writing to it.
    if (this.settled) abort();
    else this.abortCall = abort;
  }

  onHeaders(status: number, headers: Buffer[]): boolean {
    this.status = status;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!;
      if (name.length === 12 && name.toString('latin1').toLowerCase() === 'content-type') {
        this.contentType = headers[i + 1]!.toString('latin1');
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.fail(new ResponseTooLargeError('subgraph response too large'));
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settled = true;
    this.signal.removeEventListener('abort', this.onAbort);
    const { chunks } = this;
    this.resolve({
      status: this.status,
      contentType: this.contentType,
      body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
    });
  }

  onError(error: Error): void {
    if (this.settled) return;
    this.fail(this.signal.aborted ? (this.signal.reason as Error) : transportError(error, this.status));
  }

  /** Rejects the caller and drops the connection under the call (undici then reports to onError: ignored). */
  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.signal.removeEventListener('abort', this.onAbort);
    this.reject(error);
    this.abortCall?.(error);
  }
}

/**
 * undici reports a connection the subgraph closed before answering as UND_ERR_SOCKET ('other side closed'),
 * where node:http said ECONNRESET ('socket hang up'): named the same here so the policy's retry rule holds.
 */
function transportError(error: Error & { code?: string; socket?: { bytesRead?: number } }, status: number) {
  const code = error.code === 'UND_ERR_SOCKET' ? 'ECONNRESET' : (error.code ?? 'ERROR');
  // The connection had read an earlier answer and none of this call's: a pooled keep-alive connection.
  const reused = status === 0 && (error.socket?.bytesRead ?? 0) > 0;
  return new TransportError(code, reused, { cause: error });
}

import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logging';

const LEGACY_PROTOCOL = 'graphql-ws';

/** What every graphql-ws socket of a server gets in `ctx.extra`. */
export interface SocketExtra {
  socket: WebSocket;
  request: IncomingMessage;
}

export interface GraphqlWsTransportOptions<E extends SocketExtra> {
  httpServer: Server;
  /** The only path upgraded; other upgrade requests get 404. */
  path: string;
  /** graphql-ws server options (makeServer). */
  server: ServerOptions<Record<string, unknown> | undefined, E>;
  /** Builds the socket's `ctx.extra` (it must keep `socket` and `request`). Default: `{ socket, request }`. */
  extra?: (base: SocketExtra) => E;
  log: Logger;
  /** Largest accepted message; larger ones close the socket with 1009. */
  maxPayloadBytes: number;
  /** A WebSocket ping is sent this often; without a pong before the next one the socket is terminated. */
  keepAliveMs: number;
  /**
   * Bytes a socket may have waiting to be written before it counts as a consumer that stopped reading and is
   * terminated (memory per socket stays bounded).
   */
  maxBufferedBytes: number;
  /** Refuses an upgrade before the handshake (e.g. an Origin not allowed): an HTTP status and a short reason. */
  refuseUpgrade?: (request: IncomingMessage) => { status: number; reason: string } | undefined;
  /** Called for every `ping` message with its payload (graphql-ws then answers `pong`). */
  onPing?: (extra: E, payload: Record<string, unknown> | undefined) => Promise<void> | void;
}

export interface GraphqlWsTransport {
  /** Open sockets. */
  readonly clients: ReadonlySet<WebSocket>;
  /**
   * Writes a protocol message the server built itself (e.g. `next` frames serialized once for many
   * subscribers) with the same checks as graphql-ws' own messages: nothing to a socket that is not open, and a
   * socket with more than `maxBufferedBytes` unsent is terminated. `written` runs once the data was flushed;
   * false (and `written` never runs) when nothing was written.
   */
  send(socket: WebSocket, data: string, written: () => void): boolean;
  /** Closes every socket with `code` and stops upgrading. Resolves when every socket has closed (bounded). */
  close(code?: number, reason?: string, timeoutMs?: number): Promise<void>;
}

/**
 * graphql-ws (`graphql-transport-ws`) on an HTTP server's upgrade event: the protocol from graphql-ws'
 * makeServer, with what its stock `useServer` lacks — a refusal hook before the handshake, a pong deadline, a
 * bound on each socket's unsent bytes, and no process-wide console output.
 */
export function attachGraphqlWs<E extends SocketExtra>(
  options: GraphqlWsTransportOptions<E>,
): GraphqlWsTransport {
  const { log } = options;
  const server = makeServer(options.server);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    // The legacy `graphql-ws` subprotocol (subscriptions-transport-ws) is accepted only so that its client
    // receives a clear 4406 close instead of a failed handshake.
    handleProtocols: (protocols) =>
      handleProtocols(protocols) || (protocols.has(LEGACY_PROTOCOL) ? LEGACY_PROTOCOL : false),
    clientTracking: true,
  });
  let closing = false;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== options.path) return refuse(socket, 404, 'Not Found');
    if (closing) return refuse(socket, 503, 'Service Unavailable');
    const refusal = options.refuseUpgrade?.(request);
    if (refusal) return refuse(socket, refusal.status, refusal.reason);
    wss.handleUpgrade(request, socket, head, (ws) => serve(ws, request));
  };
  options.httpServer.on('upgrade', onUpgrade);

  function serve(socket: WebSocket, request: IncomingMessage): void {
    const extra = options.extra ? options.extra({ socket, request }) : ({ socket, request } as E);
    socket.once('error', (error) => {
      log.warn({ err: error }, 'graphql-ws socket error');
      socket.terminate();
    });
    let alive = true;
    socket.on('pong', () => (alive = true));
    const keepAlive = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, options.keepAliveMs);
    keepAlive.unref();
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve) => {
            if (!send(socket, data, resolve)) resolve();
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', (data) => {
            cb(String(data)).catch((error: unknown) => {
              log.error({ err: error }, 'graphql-ws message handling failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
        onPing: options.onPing
          ? async (payload) => {
              await options.onPing!(extra, payload);
              if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'pong' }));
            }
          : undefined,
      },
      extra,
    );
    socket.once('close', (code, reason) => {
      clearInterval(keepAlive);
      void closed(code, String(reason));
    });
  }

  function send(socket: WebSocket, data: string, written: () => void): boolean {
    if (socket.readyState !== socket.OPEN) return false;
    if (socket.bufferedAmount > options.maxBufferedBytes) {
      log.warn({ buffered: socket.bufferedAmount }, 'graphql-ws consumer stopped reading; terminated');
      socket.terminate();
      return false;
    }
    socket.send(data, written);
    return true;
  }

  return {
    clients: wss.clients,
    send,
    close: async (code = 1001, reason = 'Going away', timeoutMs = 5000) => {
      closing = true;
      options.httpServer.off('upgrade', onUpgrade);
      const sockets = [...wss.clients];
      const allClosed = Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve) => {
              if (socket.readyState === socket.CLOSED) return resolve();
              socket.once('close', () => resolve());
              socket.close(code, reason);
            }),
        ),
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([allClosed, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function refuse(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ errors: [{ message: reason }] });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

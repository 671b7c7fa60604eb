import { connect } from 'node:net';

export interface SlowClientResult {
  /** Header bytes sent before the server closed the socket. */
  bytesSent: number;
  /** True when the server closed the socket; false when the client gave up after `maxBytes`. */
  closedByServer: boolean;
  /** The status line the server answered with before closing, if any (Node answers 408). */
  statusLine: string | undefined;
}

/**
 * A slow-loris client: opens a request to `origin` and sends its headers one byte every `intervalMs`, never
 * finishing them, until the server closes the socket or `maxBytes` were sent.
 */
export function trickleHeaders(
  origin: string,
  options: { intervalMs?: number; maxBytes?: number; path?: string } = {},
): Promise<SlowClientResult> {
  const { hostname, port } = new URL(origin);
  const intervalMs = options.intervalMs ?? 1000;
  const maxBytes = options.maxBytes ?? 30;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let bytesSent = 0;
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean) => {
      clearInterval(timer);
      socket.destroy();
      resolve({ bytesSent, closedByServer, statusLine: answer.split('\r\n')[0] || undefined });
    };
    socket.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' || error.code === 'EPIPE' ? finish(true) : reject(error),
    );
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.once('close', () => finish(true));
    socket.once('connect', () => {
      socket.write(`GET ${options.path ?? '/healthz'} HTTP/1.1\r\nHost: ${hostname}\r\nX-Slow: `);
      timer = setInterval(() => {
        if (bytesSent >= maxBytes) return finish(false);
        bytesSent += 1;
        socket.write('a');
      }, intervalMs);
    });
  });
}

import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Graceful close for a node HTTP server: stop accepting, end idle keep-alive sockets at once, end busy ones as
 * soon as their last response is sent, and destroy whatever is left after `timeoutMs`. Must be installed
 * before the server accepts connections, since it counts requests per socket from the start.
 */
export function drainOnClose(server: Server): (timeoutMs: number) => Promise<void> {
  const pending = new Map<Socket, number>();
  let closing = false;
  server.on('connection', (socket: Socket) => {
    pending.set(socket, 0);
    socket.once('close', () => pending.delete(socket));
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    pending.set(socket, (pending.get(socket) ?? 0) + 1);
    res.once('finish', () => {
      const left = (pending.get(socket) ?? 1) - 1;
      pending.set(socket, left);
      if (closing && left === 0) socket.end();
    });
  });
  return async (timeoutMs) => {
    if (!server.listening) return;
    closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const [socket, requests] of pending) if (requests === 0) socket.end();
    const force = setTimeout(() => {
      for (const socket of pending.keys()) socket.destroy();
    }, timeoutMs);
    try {
      await closed;
    } finally {
      clearTimeout(force);
    }
  };
}

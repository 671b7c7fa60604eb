import type { Server } from 'node:http';

/**
 * Bounds on how long a client may take, against slow-loris clients trickling headers or bodies. Keep-alive is
 * longer than the gateway's pooled-connection idle time so the server never closes a socket the gateway is
 * about to reuse (which would surface as ECONNRESET).
 */
export function applyServerTimeouts(
  server: Server,
  options: { headersTimeoutMs?: number; requestTimeoutMs?: number; keepAliveTimeoutMs?: number } = {},
): void {
  server.headersTimeout = options.headersTimeoutMs ?? 10_000;
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 65_000;
}

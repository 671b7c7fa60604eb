import type { Request } from 'express';
import { ANONYMOUS, type Principal } from '@atrium/platform/auth';
import type { Logger } from '@atrium/platform/logging';
import type { GatewayConfig } from '../config';

/** Decides who is calling, once per request (HTTP) or connection (WebSocket). */
export interface Authenticator {
  /** The principal for a request's credentials; anonymous without any; throws a coded UNAUTHENTICATED error for bad ones. */
  authenticate(headers: Request['headers']): Promise<Principal>;
  close(): Promise<void>;
}

/**
 * Until access tokens and API keys are verified here (identity issue), every caller is anonymous: subgraphs then
 * see an anonymous principal and their shield rules refuse whatever needs a signed-in user. Whatever a client
 * sends as an internal header is never trusted: the data source builds subgraph headers from scratch.
 */
export function createAuthenticator(_config: GatewayConfig, _log: Logger): Authenticator {
  return { authenticate: async () => ANONYMOUS, close: async () => undefined };
}

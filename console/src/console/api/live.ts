import { createClient, type Client } from 'graphql-ws';
import { graphqlWsUrl } from '../../shared/endpoints';
import { ApiError, apiError } from './errors';
import type { Session } from './session';

export interface WatchHandlers<T> {
  next(data: T): void;
  error?(error: ApiError): void;
  complete?(): void;
}

interface Watch {
  query: string;
  variables: Record<string, unknown> | undefined;
  handlers: WatchHandlers<any>;
  stop(): void;
}

/** Codes after which a fresh token on a new socket is the cure (ARCHITECTURE.md, subscriptions). */
const REAUTHENTICATE = new Set(['SUBSCRIPTION_JWT_EXPIRED', 'UNAUTHENTICATED']);

/**
 * Live data over graphql-ws. The access token travels in `connection_init` (`{ authorization }`), read fresh at
 * every connect. When the server ends a subscription because the token expired, the session is refreshed and
 * every watch is opened again on a new socket; the API sends a snapshot first, so nothing is missed.
 */
export class Live {
  private client: Client | undefined;
  private generation = 0;
  private readonly watches = new Set<Watch>();
  private reconnecting: Promise<void> | undefined;
  /** The access token the current socket sent in `connection_init`: the one to renew when it expires. */
  private socketToken: string | undefined;

  constructor(private readonly session: Session) {
    // A session that ends (sign-out, a refused refresh) takes its live data with it: no socket keeps retrying
    // as nobody while the page switches to the sign-in form.
    session.subscribe(() => {
      if (!session.user) this.reset();
    });
  }

  watch<T>(
    query: string,
    variables: Record<string, unknown> | undefined,
    handlers: WatchHandlers<T>,
  ): () => void {
    const watch: Watch = { query, variables, handlers, stop: () => undefined };
    this.watches.add(watch);
    this.open(watch);
    return () => {
      this.watches.delete(watch);
      watch.stop();
    };
  }

  /** Closes the socket (sign-out); the next watch opens a new one as whoever is signed in then. */
  reset(): void {
    this.generation++;
    for (const watch of this.watches) watch.stop();
    this.watches.clear();
    void this.client?.dispose();
    this.client = undefined;
  }

  private socket(): Client {
    this.client ??= createClient({
      url: graphqlWsUrl(),
      lazy: true,
      keepAlive: 10_000,
      retryAttempts: 5,
      connectionParams: async () => {
        const token = await this.session.accessToken();
        this.socketToken = token;
        return token ? { authorization: `Bearer ${token}` } : {};
      },
    });
    return this.client;
  }

  private open(watch: Watch): void {
    const generation = this.generation;
    const current = () => generation === this.generation && this.watches.has(watch);
    const fail = (error: ApiError) => {
      if (!current()) return;
      if (REAUTHENTICATE.has(error.code)) return void this.reauthenticate();
      watch.handlers.error?.(error);
    };
    watch.stop = this.socket().subscribe(
      { query: watch.query, variables: watch.variables },
      {
        next: (result) => {
          if (!current()) return;
          if (result.errors?.length) return fail(apiError(result.errors));
          if (result.data) watch.handlers.next(result.data);
        },
        error: (error) => fail(toApiError(error)),
        complete: () => {
          if (current()) watch.handlers.complete?.();
        },
      },
    );
  }

  private reauthenticate(): Promise<void> {
    this.reconnecting ??= (async () => {
      this.generation++;
      const old = this.client;
      this.client = undefined;
      void old?.dispose();
      const token = await this.session.renew(this.socketToken);
      if (!token) return; // signed out: reset() already dropped every watch
      for (const watch of this.watches) this.open(watch);
    })().finally(() => (this.reconnecting = undefined));
    return this.reconnecting;
  }
}

function toApiError(error: unknown): ApiError {
  if (Array.isArray(error)) return apiError(error);
  if (error instanceof CloseEvent)
    return new ApiError(
      error.code === 4403 ? 'UNAUTHENTICATED' : 'SUBSCRIPTION_CLOSED',
      `Live updates stopped (${error.code}${error.reason ? `: ${error.reason}` : ''})`,
    );
  if (error instanceof ApiError) return error;
  return new ApiError('SUBSCRIPTION_CLOSED', error instanceof Error ? error.message : 'Live updates stopped');
}

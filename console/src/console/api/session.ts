import { GRAPHQL_HTTP_URL } from '../../shared/endpoints';
import { ApiError, apiError } from './errors';

export type Role = 'ADMIN' | 'MEMBER' | 'VIEWER';

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  mfaEnabled: boolean;
}

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
  user: SessionUser;
}

export const AUTH_FIELDS =
  'accessToken refreshToken accessTokenExpiresAt user { id email displayName roles mfaEnabled }';

/** Refresh this long before the access token expires, so a request never leaves with one about to die. */
const REFRESH_MARGIN_MS = 30_000;

type Listener = () => void;

/**
 * The signed-in user's tokens, held in this object only: never in storage, a cookie or a URL, so a reload
 * signs out. The access token is refreshed shortly before it expires; the refresh token rotates on every use
 * and only one exchange is ever in flight, since identity answers a concurrent reuse with CONFLICT.
 */
export class Session {
  private tokens: { access: string; refresh: string; expiresAt: number; user: SessionUser } | undefined;
  private refreshing: Promise<string | undefined> | undefined;
  private readonly listeners = new Set<Listener>();
  /** Why the session ended, shown on the sign-in page. */
  notice: string | undefined;

  get user(): SessionUser | undefined {
    return this.tokens?.user;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(payload: AuthPayload): void {
    this.tokens = {
      access: payload.accessToken,
      refresh: payload.refreshToken,
      expiresAt: Date.parse(payload.accessTokenExpiresAt),
      user: payload.user,
    };
    this.notice = undefined;
    this.emit();
  }

  end(notice?: string): void {
    this.tokens = undefined;
    this.notice = notice;
    this.emit();
  }

  /** The refresh token, for signOut; undefined when signed out. */
  get refreshToken(): string | undefined {
    return this.tokens?.refresh;
  }

  /** A usable access token, refreshed first when it is about to expire; undefined when signed out. */
  async accessToken(): Promise<string | undefined> {
    if (!this.tokens) return undefined;
    if (this.tokens.expiresAt - Date.now() > REFRESH_MARGIN_MS) return this.tokens.access;
    return this.refresh();
  }

  /** Exchanges the refresh token once, however many callers ask at the same time. */
  refresh(): Promise<string | undefined> {
    this.refreshing ??= this.exchange().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async exchange(): Promise<string | undefined> {
    const current = this.tokens;
    if (!current) return undefined;
    const response = await fetch(GRAPHQL_HTTP_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation Refresh($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`,
        variables: { t: current.refresh },
      }),
    });
    const body = (await response.json()) as { data?: { refreshSession?: AuthPayload }; errors?: [] };
    if (this.tokens !== current) return this.tokens?.access; // signed out or in again meanwhile
    if (body.data?.refreshSession) {
      this.start(body.data.refreshSession);
      return this.tokens!.access;
    }
    const error = apiError(body.errors, 'Could not refresh the session');
    if (error.code === 'CONFLICT') {
      // This refresh token was just exchanged by another copy of this session: the session lives on, but its
      // next refresh token went there. Keep the access token while it is valid, then ask to sign in again.
      if (current.expiresAt > Date.now()) return current.access;
      this.end('Your session was refreshed in another place. Sign in again.');
      return undefined;
    }
    if (error.code === 'UNAUTHENTICATED') {
      this.end('Your session has ended. Sign in again.');
      return undefined;
    }
    throw error instanceof ApiError ? error : new ApiError('INTERNAL_SERVER_ERROR', String(error));
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

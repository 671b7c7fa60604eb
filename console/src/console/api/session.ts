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

/**
 * Refresh this long before the access token expires, so a request never leaves with one about to die: 30 s, or a
 * fifth of a shorter lifetime (a 60 s token is refreshed after 48 s, not every time after 30 s).
 */
const MAX_REFRESH_MARGIN_MS = 30_000;

export const SESSION_REFRESHED_ELSEWHERE = 'Your session was refreshed in another place. Sign in again.';
export const SESSION_ENDED = 'Your session has ended. Sign in again.';

type Listener = () => void;

interface Tokens {
  access: string;
  /** Undefined once another copy of this session exchanged it (CONFLICT): presenting it again is reuse. */
  refresh: string | undefined;
  expiresAt: number;
  refreshMarginMs: number;
  user: SessionUser;
}

/**
 * The signed-in user's tokens, held in this object only: never in storage, a cookie or a URL, so a reload
 * signs out. The access token is refreshed shortly before it expires; the refresh token rotates on every use
 * and only one exchange is ever in flight, since identity answers a concurrent reuse with CONFLICT. Callers
 * whose token was refused ask `renew(thatToken)`, so a token already replaced is never exchanged again.
 */
export class Session {
  private tokens: Tokens | undefined;
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
    const expiresAt = Date.parse(payload.accessTokenExpiresAt);
    this.tokens = {
      access: payload.accessToken,
      refresh: payload.refreshToken,
      expiresAt,
      refreshMarginMs: Math.min(MAX_REFRESH_MARGIN_MS, Math.max(0, expiresAt - Date.now()) / 5),
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

  /** The refresh token, for signOut; undefined when signed out or when another copy of the session holds it. */
  get refreshToken(): string | undefined {
    return this.tokens?.refresh;
  }

  /** A usable access token, refreshed first when it is about to expire; undefined when signed out. */
  async accessToken(): Promise<string | undefined> {
    if (!this.tokens) return undefined;
    if (this.tokens.expiresAt - Date.now() > this.tokens.refreshMarginMs) return this.tokens.access;
    return this.refresh();
  }

  /**
   * A token to replace `refused`, which the API turned down (expired): the current one when it has already been
   * replaced meanwhile (a request and a subscription both noticed the expiry), otherwise a refreshed one.
   */
  renew(refused: string | undefined): Promise<string | undefined> {
    if (this.tokens && this.tokens.access !== refused) return Promise.resolve(this.tokens.access);
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
    if (!current.refresh) return this.orphaned(current);
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
      // next refresh token went there. Never present this one again (identity would take that for theft and end
      // the session for the other copy too); keep the access token while it is valid, then ask to sign in.
      current.refresh = undefined;
      return this.orphaned(current);
    }
    if (error.code === 'UNAUTHENTICATED') {
      this.end(SESSION_ENDED);
      return undefined;
    }
    throw error instanceof ApiError ? error : new ApiError('INTERNAL_SERVER_ERROR', String(error));
  }

  private orphaned(current: Tokens): string | undefined {
    if (current.expiresAt > Date.now()) return current.access;
    this.end(SESSION_REFRESHED_ELSEWHERE);
    return undefined;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

import { createLocalJWKSet, errors as joseErrors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/** The JWKS could not be fetched and no usable key set is held: identity is down or answered nonsense. */
export class JwksUnavailableError extends Error {
  override name = 'JwksUnavailableError';
}

/** The token names a key the current (or last good) key set does not hold. */
export class UnknownKeyError extends Error {
  override name = 'UnknownKeyError';
}

export interface JwksStoreOptions {
  url: string;
  /** An unknown `kid` refetches at most once per cooldown. */
  cooldownMs: number;
  /** Keys older than this are refetched (in the background of the verification that notices). */
  maxAgeMs: number;
  /**
   * How long the last good key set keeps verifying while identity cannot be reached. Default 24 h. Past it,
   * tokens are refused with JwksUnavailableError until a fetch succeeds.
   */
  staleMaxMs?: number;
  /** Abort one fetch after this long. Default 3000 ms. */
  timeoutMs?: number;
  /** First wait after a failed fetch, doubled per further failure up to `maxBackoffMs`. Default 1000 ms. */
  backoffMs?: number;
  /** Default 60 000 ms. */
  maxBackoffMs?: number;
  /** Told once when the store starts serving a stale set and once when it recovers. */
  onStale?: (event: { stale: boolean; since: number; error?: unknown }) => void;
  now?: () => number;
}

export interface JwksStatus {
  /** When the key set held was fetched; undefined before the first success. */
  fetchedAt: number | undefined;
  /** Since when fetches fail, or undefined. */
  failingSince: number | undefined;
  /** Fetches made so far (what a test counts). */
  fetches: number;
}

/**
 * identity's key set, fetched by the gateway itself (not jose's remote set), because an outage must not stop
 * verification: the last good set keeps verifying while identity is unreachable (up to `staleMaxMs`), only one
 * fetch is in flight at a time, and failed fetches back off exponentially instead of one fetch per request. A
 * `kid` the gateway has never seen fails closed whatever the state: it is never looked up anywhere else.
 */
export class JwksStore {
  private keySet: { getKey: JWTVerifyGetKey; kids: Set<string>; fetchedAt: number } | undefined;
  private inflight: Promise<void> | undefined;
  private failures = 0;
  private failingSince: number | undefined;
  private nextAttemptAt = 0;
  private lastUnknownKidFetch = -Infinity;
  private fetches = 0;
  private readonly now: () => number;

  constructor(private readonly options: JwksStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The `getKey` for jose's jwtVerify. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const kid = header.kid;
    const now = this.now();
    const held = this.keySet;
    // A due set is refreshed before it is used, so a key dropped from the JWKS (a compromise) stops verifying at
    // once; only when that fetch fails does the held set keep verifying. Requests wait for at most one fetch
    // (its timeout), and none at all while the store backs off.
    if (!held || now - held.fetchedAt >= this.options.maxAgeMs) await this.refresh();
    else if (
      kid !== undefined &&
      !held.kids.has(kid) &&
      now - this.lastUnknownKidFetch >= this.options.cooldownMs
    ) {
      this.lastUnknownKidFetch = now;
      await this.refresh();
    }
    const current = this.keySet;
    if (!current) throw new JwksUnavailableError('the JWKS could not be loaded');
    if (this.now() - current.fetchedAt >= this.options.maxAgeMs + (this.options.staleMaxMs ?? 86_400_000))
      throw new JwksUnavailableError('the last good JWKS is too old to trust');
    try {
      return await current.getKey(header, token);
    } catch (error) {
      if (
        error instanceof joseErrors.JWKSNoMatchingKey ||
        error instanceof joseErrors.JWKSMultipleMatchingKeys
      )
        throw new UnknownKeyError('unknown key');
      throw error;
    }
  };

  status(): JwksStatus {
    return { fetchedAt: this.keySet?.fetchedAt, failingSince: this.failingSince, fetches: this.fetches };
  }

  /** One fetch at a time; none at all while backing off. Never throws: failure keeps the last good set. */
  private refresh(): Promise<void> {
    if (this.now() < this.nextAttemptAt) return Promise.resolve();
    this.inflight ??= this.fetchOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchOnce(): Promise<void> {
    this.fetches++;
    try {
      const response = await fetch(this.options.url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000),
        redirect: 'error',
      });
      if (response.status !== 200) throw new Error(`JWKS answered HTTP ${response.status}`);
      const body = (await response.json()) as JSONWebKeySet;
      if (!Array.isArray(body?.keys)) throw new Error('JWKS without a keys array');
      const kids = new Set(
        body.keys.map((key) => key.kid).filter((kid): kid is string => typeof kid === 'string'),
      );
      this.keySet = { getKey: createLocalJWKSet(body), kids, fetchedAt: this.now() };
      if (this.failingSince !== undefined) this.options.onStale?.({ stale: false, since: this.failingSince });
      this.failures = 0;
      this.failingSince = undefined;
      this.nextAttemptAt = 0;
    } catch (error) {
      this.failures++;
      if (this.failingSince === undefined) {
        this.failingSince = this.now();
        this.options.onStale?.({ stale: true, since: this.failingSince, error });
      }
      const backoff = Math.min(
        (this.options.backoffMs ?? 1000) * 2 ** (this.failures - 1),
        this.options.maxBackoffMs ?? 60_000,
      );
      this.nextAttemptAt = this.now() + backoff;
    }
  }
}

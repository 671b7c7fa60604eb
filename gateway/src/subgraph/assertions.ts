import { signInternalAssertion, type Principal } from '@atrium/platform/auth';

export interface AssertionCacheOptions {
  secret: string;
  /** Lifetime of each signed assertion, seconds. Default 60 (the platform's). */
  ttlSeconds?: number;
  /**
   * An assertion is reused only during this first part of its lifetime, so a subgraph always receives one with at
   * least the rest to live (with the default 0.5 and 60 s: never less than 30 s left). Default 0.5.
   */
  reuseFraction?: number;
  /** Distinct (principal, subgraph, client) entries kept; the oldest goes first. Default 10 000. */
  maxEntries?: number;
  /** Told whether each call reused an assertion or signed a new one. */
  onResult?: (result: 'reused' | 'signed') => void;
}

/** What the assertion says besides its audience; two calls share an assertion only if all of it is equal. */
export interface AssertionSubject {
  principal: Principal;
  clientIp?: string;
  userAgent?: string;
}

interface Entry {
  token: Promise<string>;
  /** The token once signed: a reuse hands it over as is, without a promise to wait on. */
  value?: string;
  reuseUntil: number;
}

/**
 * Signed internal assertions, reused for the same principal, client and subgraph while comfortably inside their
 * lifetime, instead of an HMAC signature and a JWT encoding on every subgraph call. The key is the whole content
 * of the assertion (principal, client address and User-Agent, audience), so an assertion is never shared across
 * principals; an entry is never used past `reuseFraction` of its lifetime, so a subgraph never receives one near
 * its expiry. The per-request id travels in `x-request-id` instead, as the subgraphs read it.
 */
export class AssertionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlSeconds: number;
  private readonly reuseMs: number;
  private readonly maxEntries: number;

  constructor(private readonly options: AssertionCacheOptions) {
    this.ttlSeconds = options.ttlSeconds ?? 60;
    this.reuseMs = this.ttlSeconds * 1000 * (options.reuseFraction ?? 0.5);
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /**
   * An assertion for `audience` carrying exactly `subject`: the token itself when a signed one is reused, else a
   * promise of it. `key` must be `subjectKey(subject)`: a caller making several calls for one subject computes it
   * once.
   */
  get(subject: AssertionSubject, audience: string, key = subjectKey(subject)): string | Promise<string> {
    const entryKey = `${audience}\n${key}`;
    // The same clock jose stamps `iat` with.
    const now = Date.now();
    const entry = this.entries.get(entryKey);
    if (entry && now < entry.reuseUntil) {
      this.options.onResult?.('reused');
      return entry.value ?? entry.token;
    }
    if (entry) this.entries.delete(entryKey);
    this.options.onResult?.('signed');
    const token = signInternalAssertion(subject.principal, {
      secret: this.options.secret,
      audience,
      ttlSeconds: this.ttlSeconds,
      clientIp: subject.clientIp,
      userAgent: subject.userAgent,
    });
    const created: Entry = { token, reuseUntil: now + this.reuseMs };
    this.entries.set(entryKey, created);
    // A failed signature is not remembered.
    token.then(
      (value) => void (created.value = value),
      () => this.entries.delete(entryKey),
    );
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return token;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Everything an assertion says about its subject, as one string: equal keys, equal assertions. */
export function subjectKey({ principal, clientIp, userAgent }: AssertionSubject): string {
  return JSON.stringify([
    principal.kind,
    principal.userId,
    principal.sessionId,
    principal.apiKeyId,
    principal.roles,
    principal.scopes,
    clientIp ?? null,
    userAgent ?? null,
  ]);
}

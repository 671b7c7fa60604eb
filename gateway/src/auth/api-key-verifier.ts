import { createHash } from 'node:crypto';
import {
  ANONYMOUS,
  INTERNAL_ASSERTION_HEADER,
  isPrincipal,
  signInternalAssertion,
  type Principal,
} from '@atrium/platform/auth';
import type { Policy } from '@atrium/platform/resilience';

export interface ApiKeyVerifierOptions {
  /** identity's `POST /internal/api-keys/verify`. */
  url: string;
  /** INTERNAL_TOKEN_SECRET: the route answers only to a caller holding a gateway assertion. */
  internalSecret: string;
  /** How long a valid key is trusted without asking again (its revocation delay). 0 disables the cache. */
  ttlMs: number;
  /** How long an invalid key is remembered, so a client retrying a bad key costs identity nothing. Default 5 s. */
  negativeTtlMs?: number;
  /** Entries kept; the oldest go first. Default 10 000. */
  maxEntries?: number;
  /**
   * The resilience policy every call to identity goes through: its timeout aborts the call, and its breaker,
   * once open, answers at once (503) instead of letting each request wait for a dead identity.
   */
  policy: Policy;
}

/** identity said the key is unknown, revoked, expired, or its owner is disabled (401). */
export class InvalidApiKeyError extends Error {
  override name = 'InvalidApiKeyError';
}

/** identity could not answer (503). Never cached. */
export class ApiKeyCheckUnavailableError extends Error {
  override name = 'ApiKeyCheckUnavailableError';
}

interface Entry {
  principal: Principal | null;
  expiresAt: number;
}

const SHAPE = /^atr_[0-9A-Za-z]{38}$/;

export interface ApiKeyVerifier {
  verify(key: string, requestId?: string): Promise<Principal>;
}

/**
 * Turns an API key into its principal through identity, with a short bounded cache keyed by the key's SHA-256
 * (the key itself is never kept) and one call in flight per key however many requests present it at once.
 */
export function createApiKeyVerifier(options: ApiKeyVerifierOptions): ApiKeyVerifier {
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<Entry>>();
  const maxEntries = options.maxEntries ?? 10_000;
  const negativeTtlMs = options.negativeTtlMs ?? 5_000;

  const remember = (id: string, entry: Entry) => {
    if (entry.expiresAt <= Date.now()) return;
    cache.delete(id);
    cache.set(id, entry);
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
  };

  const ask = async (key: string, requestId: string | undefined): Promise<Entry> => {
    const assertion = await signInternalAssertion(ANONYMOUS, {
      secret: options.internalSecret,
      audience: 'identity',
      requestId,
    });
    let response: Response;
    try {
      // Verification only reads, so a retry (where the policy allows one) is safe.
      response = await options.policy.execute((signal) =>
        fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [INTERNAL_ASSERTION_HEADER]: assertion },
          body: JSON.stringify({ key }),
          signal,
        }).then(failOnServerError),
      );
    } catch (error) {
      throw new ApiKeyCheckUnavailableError('identity did not answer', { cause: error });
    }
    const now = Date.now();
    if (response.status === 401) {
      await response.body?.cancel();
      return { principal: null, expiresAt: now + negativeTtlMs };
    }
    const body = (await response.json().catch(() => undefined)) as
      { principal?: unknown; expiresAt?: string | null } | undefined;
    if (response.status !== 200 || !isPrincipal(body?.principal) || body.principal.kind !== 'apiKey')
      throw new ApiKeyCheckUnavailableError(`identity answered ${response.status}`);
    const keyExpiry = body.expiresAt ? Date.parse(body.expiresAt) : Number.POSITIVE_INFINITY;
    return {
      principal: { ...ANONYMOUS, ...body.principal },
      expiresAt: Math.min(now + options.ttlMs, keyExpiry),
    };
  };

  return {
    async verify(key, requestId) {
      if (!SHAPE.test(key)) throw new InvalidApiKeyError('not an Atrium API key');
      const id = createHash('sha256').update(key).digest('hex');
      const cached = cache.get(id);
      let entry: Entry;
      if (cached && cached.expiresAt > Date.now()) {
        entry = cached;
      } else {
        let pending = inFlight.get(id);
        if (!pending) {
          pending = ask(key, requestId).finally(() => inFlight.delete(id));
          inFlight.set(id, pending);
        }
        entry = await pending;
        remember(id, entry);
      }
      if (!entry.principal) throw new InvalidApiKeyError('unknown, revoked or expired API key');
      return entry.principal;
    },
  };
}

/** A 5xx from identity counts against its breaker; 401 and 200 are answers. */
async function failOnServerError(response: Response): Promise<Response> {
  if (response.status < 500) return response;
  await response.body?.cancel();
  throw new ApiKeyCheckUnavailableError(`identity answered ${response.status}`);
}

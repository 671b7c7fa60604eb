import { isIPv6 } from 'node:net';
import type { RequestHandler } from 'express';
import type { Principal } from '@atrium/platform/auth';
import type { Logger } from '@atrium/platform/logging';
import type { Metrics } from '@atrium/platform/metrics';
import { errorBody } from '@atrium/platform/server';
import {
  checkRateLimitRule,
  RateLimiterUnavailableError,
  type RateLimiter,
} from '@atrium/platform/rate-limit';
import type { RateLimits } from './config-hardening';
import { rateLimited } from './errors';

const WINDOW_MS = 60_000;
// One warning per outage, not one per request.
const UNAVAILABLE_LOG_INTERVAL_MS = 10_000;

type Verdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * The gateway's rate limits on the platform RateLimiter (GCRA; Redis when REDIS_URL is set, so every replica
 * shares the counts): per client IP before the body is even read, per user or API key once authenticated, and
 * introspection on its own budget. All run before any resolver. If the limiter's store is unreachable the
 * gateway fails open (and logs it): an outage of Redis must not take the whole API down. Only an outage does:
 * the limits are range-checked at start (config-hardening.ts), and any other limiter error is a bug (500).
 */
export class GatewayRateLimits {
  private lastUnavailableLog = 0;
  private readonly rejected: ReturnType<Metrics['counter']>;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly limits: RateLimits,
    private readonly log: Logger,
    metrics: Metrics,
  ) {
    checkRateLimits(limits);
    this.rejected = metrics.counter('gateway_rate_limited_total', 'Requests refused by a rate limit', [
      'limit',
    ]);
  }

  /** Express middleware: 429 RATE_LIMITED with Retry-After once an IP used its minute. */
  ipMiddleware(): RequestHandler {
    return (req, res, next) => {
      const ip = clientKey(req.ip);
      this.consume('ip', `ip:${ip}`, this.limits.perIp).then((verdict) => {
        if (verdict.allowed) return next();
        const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
        res
          .status(429)
          .set('retry-after', String(seconds))
          .type('application/json')
          .send(
            errorBody(`Too many requests; retry in ${seconds} s`, 'RATE_LIMITED', {
              retryAfterSeconds: seconds,
              requestId: res.locals.requestId as string | undefined,
            }),
          );
      }, next);
    };
  }

  /** Throws RATE_LIMITED (HTTP 429) when the signed-in user or API key used its minute; anonymous: IP only. */
  async checkPrincipal(principal: Principal): Promise<void> {
    const key = principalKey(principal);
    if (key === undefined) return;
    const limit = principal.kind === 'apiKey' ? this.limits.perApiKey : this.limits.perUser;
    const verdict = await this.consume(principal.kind, key, limit);
    if (!verdict.allowed) throw rateLimited(verdict.retryAfterMs);
  }

  /** Throws RATE_LIMITED when this caller asked for introspection too often. */
  async checkIntrospection(principal: Principal, clientIp: string | undefined): Promise<void> {
    const key = principalKey(principal) ?? `ip:${clientKey(clientIp)}`;
    const verdict = await this.consume('introspection', `introspection:${key}`, this.limits.introspection);
    if (!verdict.allowed) throw rateLimited(verdict.retryAfterMs, 'introspection queries');
  }

  private async consume(label: string, key: string, limit: number): Promise<Verdict> {
    if (limit <= 0) return { allowed: true };
    try {
      const result = await this.limiter.consume(key, { limit, windowMs: WINDOW_MS });
      if (result.allowed) return { allowed: true };
      this.rejected.inc({ limit: label });
      return { allowed: false, retryAfterMs: result.retryAfterMs };
    } catch (error) {
      // Only an unreachable store is an outage; anything else (a rule the limiter refuses) is a bug and must not
      // quietly switch the limit off.
      if (!(error instanceof RateLimiterUnavailableError)) throw error;
      const now = Date.now();
      if (now - this.lastUnavailableLog > UNAVAILABLE_LOG_INTERVAL_MS) {
        this.lastUnavailableLog = now;
        this.log.warn({ err: error }, 'rate limiter unavailable; requests are let through unlimited');
      }
      return { allowed: true };
    }
  }
}

/**
 * Throws (RangeError naming the limit) when the limiter would refuse one of these limits, so a limit out of its
 * range stops the start instead of failing every check later. Call it before opening anything.
 */
export function checkRateLimits(limits: RateLimits): void {
  for (const [name, limit] of Object.entries(limits)) {
    if (limit <= 0) continue;
    try {
      checkRateLimitRule({ limit, windowMs: WINDOW_MS });
    } catch (error) {
      throw new RangeError(
        `rate limit ${name}=${limit} per minute is out of range: ${(error as Error).message}`,
      );
    }
  }
}

function principalKey(principal: Principal): string | undefined {
  if (principal.kind === 'apiKey' && principal.apiKeyId) return `apikey:${principal.apiKeyId}`;
  if (principal.kind === 'user' && principal.userId) return `user:${principal.userId}`;
  return undefined;
}

/**
 * The rate-limit key of an address. An IPv6 client usually holds a whole /64, so it counts as one; an
 * IPv4-mapped IPv6 address counts as its IPv4 address.
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  // IPv4, the common case, without the IPv6 pattern (node's isIPv6 is a long regular expression).
  if (!ip.includes(':')) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(ip: string): string[] {
  const [head = '', tail = ''] = ip.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = ip.includes('::') ? 8 - left.length - right.length : 0;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right].map((part) =>
    part.toLowerCase(),
  );
}

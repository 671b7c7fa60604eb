import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { ANONYMOUS, isPrincipal, type Principal } from './principal';

/** The one header that carries the gateway's word on who is calling. Clients' copies are stripped. */
export const INTERNAL_ASSERTION_HEADER = 'x-atrium-assertion';
const ISSUER = 'atrium-gateway';
const DEFAULT_TTL_SECONDS = 60;

export interface AssertionClaims {
  principal: Principal;
  requestId: string | undefined;
  /** The client's address as the gateway saw it; a subgraph trusts it only because the assertion is valid. */
  clientIp: string | undefined;
  /** The client's User-Agent (at most 256 characters), for session lists and audit. */
  userAgent: string | undefined;
}

const MAX_USER_AGENT = 256;

let cachedKey: { secret: string; key: KeyObject } | undefined;

/** The HMAC key object of `secret`, built once: every request and subscription renewal signs with it. */
function keyOf(secret: string): KeyObject {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return cachedKey.key;
}

/**
 * Signs the gateway's assertion for one subgraph (HS256, audience = subgraph name, 60 s). An assertion for one
 * subgraph is useless against another, so a leaked one cannot be replayed across the graph.
 */
export async function signInternalAssertion(
  principal: Principal,
  options: {
    secret: string;
    audience: string;
    requestId?: string;
    ttlSeconds?: number;
    /** The client's IP address (per-IP throttling and audit in subgraphs). Default: none. */
    clientIp?: string;
    /** The client's User-Agent, truncated to 256 characters. Default: none. */
    userAgent?: string;
  },
): Promise<string> {
  return new SignJWT({
    principal,
    rid: options.requestId,
    ip: options.clientIp,
    ua: options.userAgent?.slice(0, MAX_USER_AGENT),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? DEFAULT_TTL_SECONDS}s`)
    .sign(keyOf(options.secret));
}

export class InvalidAssertionError extends Error {
  readonly code = 'UNAUTHENTICATED';
}

/** Verifies an assertion (pinned HS256, issuer, audience, expiry) and returns the principal it carries. */
export async function verifyInternalAssertion(
  token: string,
  options: { secret: string; audience: string; clockToleranceSeconds?: number },
): Promise<AssertionClaims> {
  try {
    const { payload } = await jwtVerify(token, keyOf(options.secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: options.audience,
      clockTolerance: options.clockToleranceSeconds ?? 5,
      requiredClaims: ['exp', 'iat'],
    });
    if (!isPrincipal(payload.principal))
      throw new InvalidAssertionError('assertion carries no valid principal');
    const principal: Principal = { ...ANONYMOUS, ...payload.principal };
    return {
      principal,
      requestId: stringClaim(payload.rid),
      clientIp: stringClaim(payload.ip),
      userAgent: stringClaim(payload.ua),
    };
  } catch (error) {
    if (error instanceof InvalidAssertionError) throw error;
    const reason = error instanceof joseErrors.JOSEError ? error.code : 'malformed';
    throw new InvalidAssertionError(`invalid internal assertion (${reason})`);
  }
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

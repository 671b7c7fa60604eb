import type { RequestHandler } from 'express';
import { decodeJwt } from 'jose';
import { INTERNAL_ASSERTION_HEADER, verifyInternalAssertion } from './assertion';
import type { Principal } from './principal';

export interface GatewayCaller {
  principal: Principal;
  /** The gateway's request id, so one request is traceable across every service's log. */
  requestId: string | undefined;
  /** The client's address and User-Agent as the gateway saw them; undefined when it did not forward them. */
  clientIp: string | undefined;
  userAgent: string | undefined;
}

/**
 * Rejects every request that does not carry a valid gateway assertion with 401 before GraphQL parsing, so a
 * subgraph reached directly gives nothing away (not even `_service { sdl }`). Success leaves the caller in
 * `res.locals.caller`.
 */
export function requireGatewayAssertion(options: { secret: string; audience: string }): RequestHandler {
  // The gateway reuses an assertion for one principal for up to half its life, so the same token arrives many
  // times: it is verified once and then recognised by its exact text until its `exp` (never later).
  const verified = new Map<string, { caller: GatewayCaller; until: number }>();
  return (req, res, next) => {
    const token = req.get(INTERNAL_ASSERTION_HEADER);
    if (!token) return reject(res, 'missing internal assertion');
    const known = verified.get(token);
    if (known && Date.now() < known.until) {
      res.locals.caller = known.caller;
      return next();
    }
    if (known) verified.delete(token);
    verifyInternalAssertion(token, options).then(
      (claims) => {
        const caller: GatewayCaller = claims;
        const { exp } = decodeJwt(token);
        if (typeof exp === 'number') {
          verified.set(token, { caller, until: exp * 1000 });
          if (verified.size > MAX_VERIFIED) verified.delete(verified.keys().next().value as string);
        }
        res.locals.caller = caller;
        next();
      },
      () => reject(res, 'invalid internal assertion'),
    );
  };
}

const MAX_VERIFIED = 10_000;

function reject(res: Parameters<RequestHandler>[1], message: string): void {
  res
    .status(401)
    .type('application/json')
    .send(
      JSON.stringify({
        errors: [{ message: `Unauthorized: ${message}`, extensions: { code: 'UNAUTHENTICATED' } }],
      }),
    );
}

import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { SIGNING_ALGORITHM } from '../crypto/signing-keys';
import type { Clock } from '../clock';
import type { IdentityConfig } from '../config';
import type { KeyRing } from '../crypto/signing-keys';
import type { Role } from '../user/role';

/** The `typ` header of access tokens (RFC 9068), so an ID token or another JWT is never taken for one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/**
 * An ES256 access token: `iss`, `aud`, `sub` (user id), `sid` (session id), `roles`, `iat`, `nbf`, `exp`,
 * `jti`, signed by the current key and naming it in `kid`.
 */
export async function issueAccessToken(
  deps: {
    clock: Clock;
    config: Pick<IdentityConfig, 'accessTokenTtlSeconds' | 'issuer' | 'audience'>;
    keys: KeyRing;
  },
  claims: { userId: string; sessionId: string; roles: Role[] },
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(deps.clock.now() / 1000);
  const expiresAt = issuedAt + deps.config.accessTokenTtlSeconds;
  const { signing } = deps.keys;
  const token = await new SignJWT({ sid: claims.sessionId, roles: claims.roles })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid: signing.kid })
    .setIssuer(deps.config.issuer)
    .setAudience(deps.config.audience)
    .setSubject(claims.userId)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(signing.privateKey);
  return { token, expiresAt: new Date(expiresAt * 1000) };
}

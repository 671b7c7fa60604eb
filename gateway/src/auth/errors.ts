import { HeaderMap } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { errors } from '@atrium/platform/errors';

/**
 * Bad credentials: HTTP 401 with UNAUTHENTICATED and a `WWW-Authenticate` challenge (RFC 6750). The message
 * says what kind of problem it is, never which check failed in detail or anything about the token itself.
 */
export function unauthenticated(message: string): GraphQLError {
  return errors.UNAUTHENTICATED(message, {
    http: {
      status: 401,
      headers: new HeaderMap([['www-authenticate', 'Bearer realm="atrium", error="invalid_token"']]),
    },
  });
}

/** Identity (JWKS or API-key verification) cannot be reached: not the client's fault, so not a 401. */
export function identityUnavailable(): GraphQLError {
  return errors.SUBGRAPH_UNAVAILABLE('The identity service is unavailable; credentials cannot be checked', {
    service: 'identity',
    http: { status: 503, headers: new HeaderMap([['retry-after', '5']]) },
  });
}

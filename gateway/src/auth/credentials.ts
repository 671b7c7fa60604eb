import type { IncomingHttpHeaders } from 'node:http';

/** What a request presents: nothing, an access token, or an API key. */
export type Credential = { kind: 'none' } | { kind: 'jwt'; token: string } | { kind: 'apiKey'; key: string };

export class CredentialFormatError extends Error {
  override name = 'CredentialFormatError';
}

/** API keys are recognisable by their prefix (see identity's api-key-format.ts for the full format). */
const API_KEY_PREFIX = 'atr_';
const MAX_CREDENTIAL_LENGTH = 4096;
const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Reads `Authorization: Bearer <access token | API key>` or `x-api-key: <API key>`. Both at once, another scheme
 * (Basic…), a malformed value or an over-long one is an error: a client that sends a credential means to be
 * someone, and silently treating it as anonymous would hide its mistake.
 */
export function readCredential(headers: IncomingHttpHeaders): Credential {
  const authorization = single(headers.authorization);
  const apiKeyHeader = single(headers['x-api-key']);
  if (authorization !== undefined && apiKeyHeader !== undefined)
    throw new CredentialFormatError('Send either Authorization or x-api-key, not both');
  if (apiKeyHeader !== undefined) {
    if (!apiKeyHeader.startsWith(API_KEY_PREFIX) || apiKeyHeader.length > MAX_CREDENTIAL_LENGTH)
      throw new CredentialFormatError('x-api-key does not hold an Atrium API key');
    return { kind: 'apiKey', key: apiKeyHeader };
  }
  if (authorization === undefined) return { kind: 'none' };
  const match = BEARER.exec(authorization.trim());
  if (!match || authorization.length > MAX_CREDENTIAL_LENGTH)
    throw new CredentialFormatError('Authorization must be "Bearer <access token or API key>"');
  const value = match[1]!;
  return value.startsWith(API_KEY_PREFIX) ? { kind: 'apiKey', key: value } : { kind: 'jwt', token: value };
}

function single(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : value.join(',');
  return value === undefined || value === '' ? undefined : value;
}

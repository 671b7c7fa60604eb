import type { TokenResponseQuirks } from '../provider/provider-definition';

/**
 * Rewrites a token endpoint answer into RFC 6749 shape before oauth4webapi validates it, undoing the quirks a
 * provider is described with: Slack's HTTP 200 `ok: false` errors and nested `authed_user` tokens, GitHub's
 * form encoding, non-standard `token_type`s. The body is read once; the new Response carries the same status.
 */
export async function normaliseTokenResponse(
  response: Response,
  quirks: TokenResponseQuirks | undefined,
): Promise<Response> {
  if (!quirks) return response;
  const text = await response.text();
  let body: Record<string, unknown>;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded')) {
    body = Object.fromEntries(new URLSearchParams(text));
  } else {
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return new Response(text, { status: response.status, headers: response.headers });
    }
  }
  let status = response.status;
  if (quirks.okFlag && body.ok === false) {
    status = 400;
    body = { error: typeof body.error === 'string' ? body.error : 'invalid_request' };
  }
  const nested = quirks.nestedTokenKey ? body[quirks.nestedTokenKey] : undefined;
  if (body.access_token === undefined && nested && typeof nested === 'object') {
    body = { ...body, ...(nested as Record<string, unknown>) };
  }
  if (quirks.assumeBearer && status < 400 && body.access_token !== undefined) {
    const tokenType = typeof body.token_type === 'string' ? body.token_type.toLowerCase() : '';
    if (tokenType !== 'bearer' && tokenType !== 'dpop') body = { ...body, token_type: 'bearer' };
  }
  if (typeof body.expires_in === 'string' && /^\d+$/.test(body.expires_in)) {
    body = { ...body, expires_in: Number(body.expires_in) };
  }
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

import { GRAPHQL_HTTP_URL } from '../../shared/endpoints';
import { apiError } from './errors';
import type { Session } from './session';

/**
 * Queries and mutations over HTTP as the signed-in user. An UNAUTHENTICATED answer (an access token that
 * expired on the way) renews the token once and retries.
 */
export function createRequester(session: Session) {
  const send = async (query: string, variables: Record<string, unknown> | undefined, token?: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(GRAPHQL_HTTP_URL, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: unknown;
      errors?: { message?: string; extensions?: object }[];
    };
  };

  return async function request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    let token = await session.accessToken();
    let body = await send(query, variables, token);
    if (token && body.errors?.[0]?.extensions && apiError(body.errors).code === 'UNAUTHENTICATED') {
      token = await session.renew(token);
      if (token) body = await send(query, variables, token);
    }
    if (body.errors?.length) throw apiError(body.errors);
    return body.data as T;
  };
}

export type Request = ReturnType<typeof createRequester>;

import { traceHeaders } from '@atrium/platform/logging';
import { inSpan, SpanKind } from '@atrium/platform/tracing';
import { ProviderError, errorType } from './errors';

/**
 * POSTs JSON to a provider and returns the response once its status is OK. Turns network failures and error
 * statuses into ProviderErrors; lets the caller's abort through as is (the policy knows why it aborted).
 */
export async function postJson(
  provider: string,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  signal: AbortSignal,
): Promise<Response> {
  let response: Response;
  try {
    // A CLIENT span (spans exported) up to the response's headers; the provider sees it as its parent.
    response = await inSpan(`provider ${provider}`, SpanKind.CLIENT, () =>
      fetch(url, {
        method: 'POST',
        // The job's correlation id and trace context reach the provider (and its logs, where it keeps any).
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...traceHeaders(),
          ...headers,
        },
        body: JSON.stringify(body),
        signal,
      }),
    );
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw ProviderError.network(provider, error);
  }
  if (!response.ok) {
    const type = await errorType(response);
    throw ProviderError.http(provider, response.status, type);
  }
  if (!response.body) throw ProviderError.protocol(provider, 'no body');
  return response;
}

/** Runs a stream reader, turning a mid-stream network failure into a broken-stream error. */
export async function readingStream<T>(
  provider: string,
  signal: AbortSignal,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof ProviderError) throw error;
    throw ProviderError.brokenStream(provider);
  }
}

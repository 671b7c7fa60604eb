/**
 * A provider call failed. `retryable`: worth another attempt on the same provider (429, 5xx, network, a broken
 * stream). `countsAgainstProvider`: evidence the provider is unhealthy, fed to its breaker — false for the
 * caller's own mistakes (4xx other than 408/429), so a bad request cannot open a healthy provider's circuit.
 * Messages name the provider and status only: never a key, never a response body.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
    readonly countsAgainstProvider: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }

  static http(provider: string, status: number, type: string | undefined): ProviderError {
    const retryable = status === 408 || status === 429 || status >= 500;
    const detail = type && /^[\w.-]{1,64}$/.test(type) ? ` (${type})` : '';
    return new ProviderError(
      `${provider} answered HTTP ${status}${detail}`,
      `HTTP_${status}`,
      retryable,
      retryable,
      status,
    );
  }

  static network(provider: string, cause: unknown): ProviderError {
    const code = (cause as { cause?: { code?: unknown } })?.cause?.code;
    const detail = typeof code === 'string' && /^[A-Z_]{1,32}$/.test(code) ? ` (${code})` : '';
    return new ProviderError(`${provider} could not be reached${detail}`, 'NETWORK', true, true);
  }

  static brokenStream(provider: string): ProviderError {
    return new ProviderError(
      `${provider} ended its stream before the answer was complete`,
      'STREAM_BROKEN',
      true,
      true,
    );
  }

  static streamError(provider: string, type: string | undefined): ProviderError {
    const detail = type && /^[\w.-]{1,64}$/.test(type) ? ` (${type})` : '';
    return new ProviderError(`${provider} reported an error mid-stream${detail}`, 'STREAM_ERROR', true, true);
  }

  static protocol(provider: string, what: string): ProviderError {
    return new ProviderError(`${provider} sent an unreadable answer: ${what}`, 'PROTOCOL', true, true);
  }
}

/** Reads `error.type` (OpenAI and Anthropic both use it) from an error body, without keeping the body. */
export async function errorType(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { error?: { type?: unknown; code?: unknown } };
    const type = body?.error?.type ?? body?.error?.code;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

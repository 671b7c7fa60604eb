import {
  CircuitOpenError,
  PolicyTimeoutError,
  type Policy,
  type PolicyRegistry,
} from '@atrium/platform/resilience';
import { errors } from '../errors';

/** A provider answered with a server error: counted against its breaker, never shown verbatim. */
export class ProviderServerError extends Error {
  constructor(
    readonly providerId: string,
    readonly status: number,
  ) {
    super(`${providerId} answered HTTP ${status}`);
    this.name = 'ProviderServerError';
  }
}

/**
 * One resilience policy per provider for every outbound call (token endpoint, revocation, key check): an
 * abortable timeout and a breaker that only the provider's own failures (5xx, network, timeouts) count against.
 * Nothing is retried: a code exchange or a rotating refresh must not be sent twice.
 */
export class ProviderCalls {
  constructor(private readonly deps: { policies: PolicyRegistry; timeoutMs: number }) {}

  policy(providerId: string): Policy {
    return this.deps.policies.get({
      name: `integrations:provider:${providerId}`,
      timeoutMs: this.deps.timeoutMs,
      breaker: {
        slidingWindowSize: 20,
        minimumNumberOfCalls: 5,
        failureRateThreshold: 50,
        openStateDelayMs: 30_000,
        permittedNumberOfCallsInHalfOpenState: 2,
      },
    });
  }

  /** Runs `call`; a 5xx answer fails the call (and counts), any other answer is returned for the caller to judge. */
  async run(providerId: string, call: (signal: AbortSignal) => Promise<Response>): Promise<Response> {
    try {
      return await this.policy(providerId).execute(
        async (signal) => {
          const response = await call(signal);
          if (response.status >= 500) throw new ProviderServerError(providerId, response.status);
          return response;
        },
        { retry: false },
      );
    } catch (error) {
      throw unavailable(providerId, error);
    }
  }
}

/** The coded error a client sees when a provider cannot be used right now; the cause stays in the logs. */
export function unavailable(providerId: string, error: unknown) {
  const reason =
    error instanceof CircuitOpenError
      ? 'its circuit is open after repeated failures'
      : error instanceof PolicyTimeoutError
        ? 'it did not answer in time'
        : error instanceof ProviderServerError
          ? `it answered HTTP ${error.status}`
          : 'it could not be reached';
  return errors.PROVIDER_UNAVAILABLE(`${providerId} is unavailable: ${reason}`, { providerId });
}

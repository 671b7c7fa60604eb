import { INTERNAL_ASSERTION_HEADER, ANONYMOUS, signInternalAssertion } from '@atrium/platform/auth';
import type { Logger } from '@atrium/platform/logging';
import type { Policy, PolicyRegistry } from '@atrium/platform/resilience';

/** The audience integrations requires on its internal credentials route (never a GraphQL assertion's). */
const CREDENTIALS_AUDIENCE = 'integrations-credentials';

/** A user's own key for a provider kind, decrypted by integrations for this run: memory only. */
export interface OwnKey {
  providerId: string;
  connectionId: string;
  version: number;
  apiKey: string;
}

/**
 * The client of integrations' internal credentials route: asks, as the job's owner, for their ACTIVE OpenAI or
 * Anthropic key, and reports a key the provider rejected. Nothing it returns is cached, logged or queued. When
 * integrations cannot be reached the job runs on the deployment's providers (logged, without any key).
 */
export class OwnKeys {
  private readonly policy: Policy;

  constructor(
    private readonly deps: {
      /** The integrations subgraph's origin (GENERATION_INTEGRATIONS_URL). */
      integrationsUrl: string;
      internalSecret: string;
      policies: PolicyRegistry;
      log: Logger;
      /** Provider kinds a user may bring a key for. */
      kinds: readonly string[];
    },
  ) {
    this.policy = deps.policies.get({
      name: 'integrations:credentials',
      timeoutMs: 3_000,
      breaker: {
        slidingWindowSize: 20,
        minimumNumberOfCalls: 5,
        failureRateThreshold: 50,
        openStateDelayMs: 10_000,
        permittedNumberOfCallsInHalfOpenState: 1,
      },
    });
  }

  async forUser(userId: string): Promise<OwnKey[]> {
    try {
      const response = await this.call(
        userId,
        `/internal/ai-credentials?providers=${this.deps.kinds.join(',')}`,
      );
      if (!response.ok) throw new Error(`integrations answered HTTP ${response.status}`);
      const body = (await response.json()) as { credentials?: OwnKey[] };
      return (body.credentials ?? []).filter((key) => this.deps.kinds.includes(key.providerId));
    } catch (error) {
      this.deps.log.warn(
        { reason: (error as Error).message },
        "own keys unavailable; using the deployment's providers",
      );
      return [];
    }
  }

  /** Tells integrations the provider answered 401 to this key (the connection becomes REFRESH_FAILED). */
  async rejected(userId: string, key: OwnKey): Promise<void> {
    try {
      await this.call(userId, '/internal/ai-credentials/rejected', {
        connectionId: key.connectionId,
        version: key.version,
      });
    } catch (error) {
      this.deps.log.warn(
        { reason: (error as Error).message, connectionId: key.connectionId },
        'rejected key not reported',
      );
    }
  }

  private async call(userId: string, path: string, body?: unknown): Promise<Response> {
    const assertion = await signInternalAssertion(
      { ...ANONYMOUS, kind: 'user', userId },
      { secret: this.deps.internalSecret, audience: CREDENTIALS_AUDIENCE, ttlSeconds: 30 },
    );
    return this.policy.execute(
      (signal) =>
        fetch(`${this.deps.integrationsUrl}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { [INTERNAL_ASSERTION_HEADER]: assertion, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal,
        }),
      { retry: false },
    );
  }
}

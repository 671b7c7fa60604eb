import type { Policy, PolicyRegistry } from '@atrium/platform/resilience';

export interface ProviderDefinition {
  id: string;
  kind: 'local' | 'openai' | 'anthropic';
  models: string[];
}

export interface RegisteredProvider extends ProviderDefinition {
  /** The provider's circuit, created once per process; every call to it goes through this policy. */
  policy: Policy;
}

/** The built-in offline generator: a template engine, not a model, and the embedded default. */
export const LOCAL_PROVIDER: ProviderDefinition = { id: 'local', kind: 'local', models: ['template-v1'] };

export function registerProviders(
  definitions: ProviderDefinition[],
  policies: PolicyRegistry,
): RegisteredProvider[] {
  return definitions.map((definition) => ({
    ...definition,
    policy: policies.get({
      name: `provider:${definition.id}`,
      timeoutMs: 60_000,
      breaker: {
        slidingWindowSize: 20,
        minimumNumberOfCalls: 5,
        failureRateThreshold: 50,
        openStateDelayMs: 30_000,
        permittedNumberOfCallsInHalfOpenState: 2,
      },
    }),
  }));
}

import type { Logger } from '@atrium/platform/logging';
import type { PolicyRegistry } from '@atrium/platform/resilience';
import type { GenerationSettings, ProviderConfig, ProviderKind } from '../config';
import { DEFAULT_BASE_URLS, DEFAULT_MODELS } from '../config/providers';
import { OwnKeys, type OwnKey } from './own-keys';
import { clientFor, providerPolicy, type RegisteredProvider } from './provider-registry';

/** Provider kinds a user may bring their own key for (integrations' provider ids of the same name). */
export const OWN_KEY_KINDS: readonly ProviderKind[] = ['openai', 'anthropic'];

/**
 * Turns a user's own keys into providers for one run: the deployment's provider of the same kind lends its
 * endpoint, models and limits (so an OpenAI-compatible server configured for the deployment serves own keys
 * too), or the public API when the deployment has none. One circuit per kind for every own key, which only the
 * provider's own failures count against (a rejected key is the caller's, not the provider's, fault).
 */
export class OwnKeyProviders {
  constructor(
    private readonly deps: { keys: OwnKeys; settings: GenerationSettings; policies: PolicyRegistry },
  ) {}

  async forUser(userId: string): Promise<RegisteredProvider[]> {
    const keys = await this.deps.keys.forUser(userId);
    return keys.flatMap((key) => {
      const kind = OWN_KEY_KINDS.find((k) => k === key.providerId);
      return kind ? [this.provider(kind, key)] : [];
    });
  }

  rejected(userId: string, provider: RegisteredProvider): Promise<void> {
    return provider.ownKey ? this.deps.keys.rejected(userId, provider.ownKey) : Promise.resolve();
  }

  private provider(kind: ProviderKind, key: OwnKey): RegisteredProvider {
    const { settings, policies } = this.deps;
    const deployment = settings.providers.find((p) => p.kind === kind);
    const config: ProviderConfig = {
      id: kind,
      kind,
      baseUrl: deployment?.baseUrl ?? DEFAULT_BASE_URLS[kind],
      models: deployment?.models ?? [DEFAULT_MODELS[kind]],
      apiKey: key.apiKey,
      timeoutMs: deployment?.timeoutMs ?? 120_000,
      attempts: deployment?.attempts ?? 2,
      maxTokens: deployment?.maxTokens ?? 2048,
    };
    return {
      id: kind,
      kind,
      models: config.models,
      maxTokens: config.maxTokens,
      client: clientFor(config, settings),
      policy: providerPolicy(`own-key:${kind}`, config, settings, policies),
      ownKey: key,
    };
  }
}

/** Own keys for this deployment, or undefined when it does not reach integrations (INTEGRATIONS_URL unset). */
export function ownKeyProvidersFor(deps: {
  settings: GenerationSettings;
  internalSecret: string;
  policies: PolicyRegistry;
  log: Logger;
}): OwnKeyProviders | undefined {
  const { settings, internalSecret, policies, log } = deps;
  if (!settings.integrationsOrigin) return undefined;
  const keys = new OwnKeys({
    integrationsUrl: settings.integrationsOrigin,
    internalSecret,
    policies,
    log,
    kinds: OWN_KEY_KINDS,
  });
  return new OwnKeyProviders({ keys, settings, policies });
}

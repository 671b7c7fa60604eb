import { errors } from '../errors';
import type { ProviderDefinition } from '../provider/provider-definition';
import type { ProviderCalls } from '../provider/provider-calls';
import type { ProviderRegistry } from '../provider/provider-registry';

/**
 * Refuses an API key that does not have its provider's format, then (where the provider offers a cheap
 * authenticated call, and the deployment has not turned checks off) tries it. The key is never echoed.
 */
export class ApiKeyChecker {
  constructor(
    private readonly deps: { providers: ProviderRegistry; calls: ProviderCalls; enabled: boolean },
  ) {}

  async check(provider: ProviderDefinition, apiKey: string): Promise<void> {
    const settings = provider.apiKey;
    if (!settings) throw errors.BAD_USER_INPUT(`${provider.name} is connected with OAuth, not an API key`);
    if (!settings.format.test(apiKey)) {
      throw errors.API_KEY_INVALID(
        `This is not a ${provider.name} API key: expected ${settings.formatHint}`,
        {
          providerId: provider.id,
        },
      );
    }
    const baseUrl = this.deps.providers.apiBaseUrl(provider);
    if (!this.deps.enabled || !settings.check || !baseUrl) return;
    const { path, header, extraHeaders } = settings.check;
    const auth: Record<string, string> =
      header === 'bearer' ? { authorization: `Bearer ${apiKey}` } : { 'x-api-key': apiKey };
    const response = await this.deps.calls.run(provider.id, (signal) =>
      fetch(`${baseUrl}${path}`, { headers: { ...extraHeaders, ...auth }, signal }),
    );
    await response.body?.cancel();
    if (response.status === 401 || response.status === 403) {
      throw errors.API_KEY_INVALID(`${provider.name} rejected this API key`, { providerId: provider.id });
    }
  }
}

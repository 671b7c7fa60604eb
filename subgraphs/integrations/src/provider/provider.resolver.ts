import { Ctx, Query, Resolver } from 'type-graphql';
import type { IntegrationsContext } from '../context';
import { CATALOGUE } from './catalogue';
import { AuthScheme, IntegrationProvider } from './integration-provider.type';

@Resolver(() => IntegrationProvider)
export class IntegrationProviderResolver {
  @Query(() => [IntegrationProvider], {
    description: 'Every provider, and whether this deployment can connect to it.',
  })
  integrationProviders(@Ctx() ctx: IntegrationsContext): IntegrationProvider[] {
    return CATALOGUE.map((entry) => ({
      ...entry,
      // API-key providers need no deployment credentials: the user brings the key.
      configured: entry.authScheme === AuthScheme.API_KEY || ctx.app.oauthClients.has(entry.id),
    }));
  }
}

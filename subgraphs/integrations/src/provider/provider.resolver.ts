import { Ctx, Query, Resolver } from 'type-graphql';
import type { IntegrationsContext } from '../context';
import { IntegrationProvider } from './integration-provider.type';

@Resolver(() => IntegrationProvider)
export class IntegrationProviderResolver {
  @Query(() => [IntegrationProvider], {
    description: 'Every provider, and whether this deployment can connect to it.',
  })
  integrationProviders(@Ctx() ctx: IntegrationsContext): IntegrationProvider[] {
    return ctx.app.providers.list();
  }
}

import { Ctx, Query, Resolver } from 'type-graphql';
import type { GenerationContext } from '../context';
import { CircuitState, ModelProvider } from './model-provider.type';

@Resolver(() => ModelProvider)
export class ModelProviderResolver {
  @Query(() => [ModelProvider], {
    description: 'The configured providers in fallback order, with circuit state.',
  })
  modelProviders(@Ctx() ctx: GenerationContext): ModelProvider[] {
    return ctx.providers.map(({ id, kind, models, policy }) => {
      const circuitState = CircuitState[policy.state().state];
      return { id, kind, models, circuitState, available: circuitState !== CircuitState.OPEN };
    });
  }
}

import { Ctx, Query, Resolver } from 'type-graphql';
import type { GenerationContext } from '../context';
import { CircuitState } from '@atrium/platform/federation';
import { ModelProvider } from './model-provider.type';

@Resolver(() => ModelProvider)
export class ModelProviderResolver {
  @Query(() => [ModelProvider], {
    description:
      'The configured providers in fallback order, with circuit state. Open to every caller, anonymous included.',
  })
  async modelProviders(@Ctx() ctx: GenerationContext): Promise<ModelProvider[]> {
    const { providers, board } = ctx.app;
    return Promise.all(
      providers.map(async (provider) => {
        const circuitState = await board.stateOf(provider);
        return {
          id: provider.id,
          kind: provider.kind,
          models: provider.models,
          circuitState,
          available: circuitState !== CircuitState.OPEN,
          description:
            provider.kind === 'local'
              ? 'Built-in template engine, not a language model: it fills a fixed Markdown structure from the input.'
              : null,
        };
      }),
    );
  }
}

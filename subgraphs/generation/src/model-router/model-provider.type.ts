import { Field, ID, ObjectType } from 'type-graphql';
import { CircuitState } from '@atrium/platform/federation';

@ObjectType('ModelProvider', { description: 'A model provider the router may send generation work to.' })
export class ModelProvider {
  @Field(() => ID, {
    description: 'The name the deployment gave it, e.g. openai or local; use it as GenerateInput.provider.',
  })
  id!: string;

  @Field({
    description:
      'openai (any OpenAI-compatible endpoint), anthropic, or local (the offline template engine).',
  })
  kind!: string;

  @Field(() => [String], { description: 'The models it may use, preferred first.' })
  models!: string[];

  @Field(() => CircuitState, { description: 'Its breaker, shared by every worker.' })
  circuitState!: CircuitState;

  @Field({ description: 'False while its circuit is open: the router skips it without calling.' })
  available!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'What the provider is, in words (the local one says it is no model).',
  })
  description!: string | null;
}

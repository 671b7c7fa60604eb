import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum CircuitState {
  CLOSED = 'CLOSED',
  OPEN = 'OPEN',
  HALF_OPEN = 'HALF_OPEN',
}
registerEnumType(CircuitState, { name: 'CircuitState' });

@ObjectType('ModelProvider', { description: 'A model provider the router may send generation work to.' })
export class ModelProvider {
  @Field(() => ID)
  id!: string;

  @Field({
    description:
      'openai (any OpenAI-compatible endpoint), anthropic, or local (the offline template engine).',
  })
  kind!: string;

  @Field(() => [String])
  models!: string[];

  @Field(() => CircuitState)
  circuitState!: CircuitState;

  @Field({ description: 'False while its circuit is open: the router skips it without calling.' })
  available!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'What the provider is, in words (the local one says it is no model).',
  })
  description!: string | null;
}

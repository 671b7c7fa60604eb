import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum CircuitState {
  CLOSED = 'CLOSED',
  OPEN = 'OPEN',
  HALF_OPEN = 'HALF_OPEN',
}
// Described the same way as monitoring's CircuitState, so composition merges one text.
registerEnumType(CircuitState, {
  name: 'CircuitState',
  description: 'The state of a circuit breaker guarding calls to a dependency.',
  valuesConfig: {
    CLOSED: { description: 'Calls go through.' },
    OPEN: { description: 'Too many recent calls failed: calls are refused at once, without trying.' },
    HALF_OPEN: {
      description: 'After the cooldown: a few probe calls decide whether it closes or opens again.',
    },
  },
});

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

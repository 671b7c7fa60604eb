import { Field, ID, InputType } from 'type-graphql';
import { GenerationKind } from './generation-job.entity';

@InputType('BattlecardInput', { description: 'The competitor of a BATTLECARD job.' })
export class BattlecardInput {
  @Field({ description: 'The competitor, one line of 1 to 200 characters.' })
  competitorName!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Its website: an http(s) URL without credentials, at most 2048 characters.',
  })
  competitorWebsite?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The market or product line you compete in, one line of at most 200 characters.',
  })
  productSegment?: string | null;

  @Field(() => [String], {
    nullable: true,
    description:
      'What to focus on (e.g. Security, Pricing): at most 10, each one line of at most 100 characters.',
  })
  focusAreas?: string[] | null;
}

@InputType('GenerateInput', { description: 'What to generate.' })
export class GenerateInput {
  @Field(() => GenerationKind, { description: 'What to write.' })
  kind!: GenerationKind;

  @Field({
    description:
      'Your instructions or source text: 1 to 20000 characters (an emoji counts as one), no control or bidi-override characters.',
  })
  prompt!: string;

  @Field(() => String, {
    nullable: true,
    description: 'One line of at most 200 characters; by default one is made from the kind and prompt.',
  })
  title?: string | null;

  @Field(() => BattlecardInput, {
    nullable: true,
    description: 'Required for BATTLECARD, refused for the other kinds.',
  })
  battlecard?: BattlecardInput | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Makes the call safe to repeat: the same key from the same user returns the same job and queues nothing (the same key with another kind or prompt is a CONFLICT). 1 to 128 of A-Z a-z 0-9 . _ ~ : -.',
  })
  idempotencyKey?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'A ModelProvider.id to try first; the router may still fail over to the next one.',
  })
  provider?: string | null;
}

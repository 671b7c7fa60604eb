import { Field, ID, InputType } from 'type-graphql';
import { GenerationKind } from './generation-job.entity';

@InputType('BattlecardInput')
export class BattlecardInput {
  @Field()
  competitorName!: string;

  @Field(() => String, { nullable: true })
  competitorWebsite?: string | null;

  @Field(() => String, { nullable: true })
  productSegment?: string | null;

  @Field(() => [String], { nullable: true })
  focusAreas?: string[] | null;
}

@InputType('GenerateInput')
export class GenerateInput {
  @Field(() => GenerationKind)
  kind!: GenerationKind;

  @Field({ description: '1..20000 characters' })
  prompt!: string;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => BattlecardInput, { nullable: true })
  battlecard?: BattlecardInput | null;

  @Field(() => String, {
    nullable: true,
    description: 'same key + same user → same job, no second enqueue',
  })
  idempotencyKey?: string | null;

  @Field(() => ID, { nullable: true, description: 'optional preference; the router may still fail over' })
  provider?: string | null;
}

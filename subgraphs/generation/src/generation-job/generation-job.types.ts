import { PageInfo } from '@atrium/platform/pagination';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GenerationEventType } from '../events/job-events';
import { GenerationJob } from './generation-job.entity';

export { GenerationEventType };
registerEnumType(GenerationEventType, { name: 'GenerationEventType' });

export enum ExportFormat {
  MARKDOWN = 'MARKDOWN',
  PDF = 'PDF',
}
registerEnumType(ExportFormat, { name: 'ExportFormat' });

@ObjectType('GenerationJobEdge')
export class GenerationJobEdge {
  @Field()
  cursor!: string;

  @Field(() => GenerationJob)
  node!: GenerationJob;
}

@ObjectType('GenerationJobConnection')
export class GenerationJobConnection {
  @Field(() => [GenerationJobEdge])
  edges!: GenerationJobEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@ObjectType('GenerationEvent', {
  description: 'One change of a job; `sequence` increases by one per event of a job.',
})
export class GenerationEvent {
  @Field(() => Int)
  sequence!: number;

  @Field(() => GenerationEventType)
  type!: GenerationEventType;

  @Field(() => GenerationJob)
  job!: GenerationJob;

  @Field(() => String, { nullable: true, description: 'The new output text of an OUTPUT_DELTA event.' })
  delta!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'What happened, in words (a failover, a skip, a failure).',
  })
  message!: string | null;

  @Field({
    description:
      'True when the output so far must be discarded: a failover or a worker takeover restarted it. The event ' +
      'is a SNAPSHOT whose job.output is the new (empty) start.',
  })
  outputReset!: boolean;
}

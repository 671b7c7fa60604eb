import { PageInfo } from '@atrium/platform/pagination';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GenerationEventType } from './job-events';
import { GenerationJob } from './generation-job.entity';

export { GenerationEventType };
registerEnumType(GenerationEventType, {
  name: 'GenerationEventType',
  description: 'What a GenerationEvent tells.',
  valuesConfig: {
    SNAPSHOT: {
      description:
        'The job as stored, `output` so far included: the first event, and again after outputReset or a lost event.',
    },
    STATUS: { description: 'The status changed; a final status is the last event of generationJobUpdated.' },
    PROGRESS: { description: 'A step, in `message`: which provider runs, a skip, a failover.' },
    OUTPUT_DELTA: { description: 'New output text in `delta`, to append.' },
  },
});

export enum ExportFormat {
  MARKDOWN = 'MARKDOWN',
  PDF = 'PDF',
}
registerEnumType(ExportFormat, {
  name: 'ExportFormat',
  description: 'A download format of a SUCCEEDED job.',
  valuesConfig: {
    MARKDOWN: { description: 'The output as stored (text/markdown).' },
    PDF: { description: "A PDF rendered from the Markdown (characters outside Windows-1252 print as '?')." },
  },
});

/** Argument descriptions of generationJobs, shared with User.generationJobs. */
export const PAGE_SIZE = 'Page size: at most 100 (more is clamped); negative is BAD_USER_INPUT.';
export const AFTER = "The previous page's `endCursor`.";
export const STATUS_FILTER = 'Only jobs in this status; all when null.';

@ObjectType('GenerationJobEdge', { description: 'One job in a page of jobs.' })
export class GenerationJobEdge {
  @Field({ description: 'Opaque; pass it as `after` to continue after this job.' })
  cursor!: string;

  @Field(() => GenerationJob, { description: 'The job.' })
  node!: GenerationJob;
}

@ObjectType('GenerationJobConnection', { description: 'A page of jobs, newest first.' })
export class GenerationJobConnection {
  @Field(() => [GenerationJobEdge], { description: 'The jobs of this page, at most `first`.' })
  edges!: GenerationJobEdge[];

  @Field(() => PageInfo, { description: 'Whether older jobs follow, and the cursor to continue from.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'How many jobs match `status`, over all pages.' })
  totalCount!: number;
}

@ObjectType('GenerationEvent', {
  description: 'One change of a job; `sequence` increases by one per event of a job.',
})
export class GenerationEvent {
  @Field(() => Int, {
    description:
      'Increases by exactly one per event of a job; a gap means an event was lost (a SNAPSHOT follows).',
  })
  sequence!: number;

  @Field(() => GenerationEventType, { description: 'What the event tells.' })
  type!: GenerationEventType;

  @Field(() => GenerationJob, {
    description: 'The job after this event (its `output` is null on OUTPUT_DELTA).',
  })
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

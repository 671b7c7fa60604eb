import { randomUUID } from 'node:crypto';
import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GenerationKind } from './generation-kind';

export { GenerationKind };

export enum GenerationStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(GenerationKind, {
  name: 'GenerationKind',
  description: 'What to write; each kind has its own prompt template and Markdown structure.',
  valuesConfig: {
    BATTLECARD: {
      description:
        'A sales battlecard against a competitor (needs GenerateInput.battlecard): overview, strengths, weaknesses, objection handling, pricing, win themes.',
    },
    DOCUMENT: { description: 'A structured document from the prompt.' },
    SUMMARY: { description: 'A summary of the text in the prompt.' },
    PRESENTATION_OUTLINE: { description: 'A slide-by-slide outline of a presentation.' },
  },
});
registerEnumType(GenerationStatus, {
  name: 'GenerationStatus',
  description:
    'Where a job is: QUEUED → RUNNING → SUCCEEDED, FAILED or CANCELLED (the last three are final).',
  valuesConfig: {
    QUEUED: { description: 'Stored and waiting for a worker.' },
    RUNNING: { description: 'A worker is generating it; output streams in.' },
    SUCCEEDED: { description: 'Done: `output` is complete and can be exported.' },
    FAILED: { description: 'Ended with `error`; retryGeneration may queue it again.' },
    CANCELLED: { description: 'Stopped by cancelGeneration; retryGeneration may queue it again.' },
  },
});

export enum ProviderKeyOwner {
  DEPLOYMENT = 'DEPLOYMENT',
  USER = 'USER',
}
registerEnumType(ProviderKeyOwner, {
  name: 'ProviderKeyOwner',
  description: 'Whose API key a model provider ran a job on.',
  valuesConfig: {
    DEPLOYMENT: { description: "The deployment's own provider configuration." },
    USER: { description: "The job owner's own key, from their ACTIVE connection in integrations." },
  },
});

export const TERMINAL_STATUSES: readonly GenerationStatus[] = [
  GenerationStatus.SUCCEEDED,
  GenerationStatus.FAILED,
  GenerationStatus.CANCELLED,
];
export const ACTIVE_STATUSES: readonly GenerationStatus[] = [
  GenerationStatus.QUEUED,
  GenerationStatus.RUNNING,
];

export function isTerminal(status: GenerationStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

@ObjectType('TokenUsage', {
  description:
    'What a job consumed, over all its attempts (discarded ones included); estimated at 4 characters a token when the provider reports none.',
})
export class TokenUsage {
  @Field(() => Int, { description: 'Tokens sent to the model.' })
  promptTokens!: number;

  @Field(() => Int, { description: 'Tokens the model wrote.' })
  completionTokens!: number;

  @Field(() => Float, {
    description:
      "What it cost, in US dollars, at the deployment's prices; 0 for a cache hit or the local engine.",
  })
  costUsd!: number;
}

@ObjectType('JobError', { description: 'Why a job FAILED.' })
export class JobError {
  @Field({ description: 'e.g. PROVIDER_ERROR, ALL_PROVIDERS_FAILED, BUDGET_EXCEEDED, QUEUE_UNAVAILABLE.' })
  code!: string;

  @Field({ description: 'What went wrong, in words; never a secret of a provider.' })
  message!: string;

  @Field({ description: 'Whether retryGeneration may succeed without changing anything.' })
  retryable!: boolean;
}

/**
 * One request for AI content, from QUEUED to a terminal state. Every write after creation is a compare-and-set
 * on `sequence` (and, for the worker, on `runToken`), so concurrent writers — a worker, a second worker that took
 * over a stalled job, an API process cancelling — can never both win, and each event gets a unique sequence.
 */
@Directive('@key(fields: "id")')
@ObjectType('GenerationJob', {
  description:
    'One request for AI content, from QUEUED to a final state. Visible to its owner and ADMINs (API keys: generation:read); anyone else gets NOT_FOUND.',
})
@Entity({ tableName: 'generation_jobs' })
@Index({ properties: ['ownerId', 'createdAt'] })
@Index({ properties: ['ownerId', 'status'] })
@Index({ properties: ['status', 'leaseExpiresAt'] })
@Unique({ properties: ['ownerId', 'idempotencyKey'] })
export class GenerationJob {
  @Field(() => ID, { description: 'Stable identifier (a UUID).' })
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 36 })
  ownerId!: string;

  @Field(() => GenerationKind, { description: 'What it writes.' })
  @Property({ type: 'string', length: 32 })
  kind!: GenerationKind;

  @Field({
    description: 'One line, at most 200 characters: the one given, or one made from the kind and prompt.',
  })
  @Property({ type: 'string', length: 200 })
  title!: string;

  /** Resolved by a field resolver: events carry the job without its (large, immutable) prompt. */
  @Property({ type: 'text' })
  prompt!: string;

  /** The kind's structured inputs (the battlecard fields) as JSON text. */
  @Property({ type: 'text', nullable: true })
  inputs: string | null = null;

  @Property({ type: 'string', length: 32, nullable: true })
  providerPreference: string | null = null;

  @Property({ type: 'string', length: 128, nullable: true })
  idempotencyKey: string | null = null;

  @Field(() => GenerationStatus, { description: 'Where the job is.' })
  @Property({ type: 'string', length: 16 })
  status: GenerationStatus = GenerationStatus.QUEUED;

  /** Progress in basis points (0..10000): integers compare and store the same on every database. */
  @Property({ type: 'integer' })
  progressBp: number = 0;

  @Field(() => String, {
    nullable: true,
    description:
      'The Markdown written so far, complete once SUCCEEDED; null before the first output (and on OUTPUT_DELTA events).',
  })
  @Property({ type: 'text', nullable: true })
  output: string | null = null;

  @Field(() => String, {
    nullable: true,
    description: 'The ModelProvider.id that answered (or runs now); null before one started.',
  })
  @Property({ type: 'string', length: 32, nullable: true })
  provider: string | null = null;

  @Field(() => String, { nullable: true, description: 'The model of that provider, e.g. gpt-4o-mini.' })
  @Property({ type: 'string', length: 128, nullable: true })
  model: string | null = null;

  @Field(() => ProviderKeyOwner, {
    nullable: true,
    description:
      "Whose key the provider ran on: the deployment's, or the user's own (an ACTIVE openai/anthropic connection). Null until a provider answered, and for a cache hit.",
  })
  @Property({ type: 'string', length: 16, nullable: true })
  providerKeyOwner: ProviderKeyOwner | null = null;

  @Field({
    description: 'True when the answer came from the response cache (an identical earlier request of yours).',
  })
  @Property({ type: 'boolean' })
  cached: boolean = false;

  @Field(() => Int, {
    description: 'Times a worker started this job (a retry or a crash recovery adds one).',
  })
  @Property({ type: 'integer' })
  attempts: number = 0;

  /** Times the job was put on the queue (creation and each retryGeneration); part of the queue job id. */
  @Property({ type: 'integer' })
  runs: number = 1;

  /** The worker run that owns the job while RUNNING; writes of any other run are refused. */
  @Property({ type: 'string', length: 36, nullable: true })
  runToken: string | null = null;

  /**
   * Until when the worker run holding `runToken` owns the RUNNING job. The run renews it while its process lives
   * (every third of GENERATION_JOB_LEASE_MS); once it lapses, the stalled-job sweep takes the job back.
   */
  @Property({ type: 'datetime', nullable: true })
  leaseExpiresAt: Date | null = null;

  /** Sequence number of the job's latest event; the SNAPSHOT a subscriber gets carries it. */
  @Property({ type: 'integer' })
  sequence: number = 0;

  @Property({ type: 'integer' })
  promptTokens: number = 0;

  @Property({ type: 'integer' })
  completionTokens: number = 0;

  /** Cost in millionths of a dollar: exact sums per user, no floating-point drift. */
  @Property({ type: 'integer' })
  costMicros: number = 0;

  /** Budget held for a running call (its worst case, in micro-USD), released when the job ends. */
  @Property({ type: 'integer' })
  reservedMicros: number = 0;

  @Property({ type: 'string', length: 64, nullable: true })
  errorCode: string | null = null;

  @Property({ type: 'string', length: 500, nullable: true })
  errorMessage: string | null = null;

  @Property({ type: 'boolean', nullable: true })
  errorRetryable: boolean | null = null;

  @Field({ description: 'When generate stored it.' })
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When a worker last started it; null while QUEUED.' })
  @Property({ type: 'datetime', nullable: true })
  startedAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'When it reached its final state; null before.' })
  @Property({ type: 'datetime', nullable: true })
  finishedAt: Date | null = null;

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  @Field(() => Float, { description: 'How far the job is, from 0 to 1 (1 once SUCCEEDED).' })
  get progress(): number {
    return this.progressBp / 10_000;
  }

  @Field(() => TokenUsage, {
    nullable: true,
    description: 'Tokens and cost; null until a provider answered (or the cache did).',
  })
  get usage(): TokenUsage | null {
    if (this.provider === null && !this.cached) return null;
    return {
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      costUsd: this.costMicros / 1_000_000,
    };
  }

  @Field(() => JobError, { nullable: true, description: 'Why it FAILED; null otherwise.' })
  get error(): JobError | null {
    if (this.errorCode === null) return null;
    return {
      code: this.errorCode,
      message: this.errorMessage ?? '',
      retryable: this.errorRetryable ?? false,
    };
  }
}

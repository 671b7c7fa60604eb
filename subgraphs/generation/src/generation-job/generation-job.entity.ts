import { randomUUID } from 'node:crypto';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum GenerationKind {
  BATTLECARD = 'BATTLECARD',
  DOCUMENT = 'DOCUMENT',
  SUMMARY = 'SUMMARY',
  PRESENTATION_OUTLINE = 'PRESENTATION_OUTLINE',
}
export enum GenerationStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(GenerationKind, { name: 'GenerationKind' });
registerEnumType(GenerationStatus, { name: 'GenerationStatus' });

/** One request for AI content, from QUEUED to a terminal state. */
@Directive('@key(fields: "id")')
@ObjectType('GenerationJob')
@Entity({ tableName: 'generation_jobs' })
export class GenerationJob {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Index()
  @Property({ type: 'string', length: 36 })
  ownerId!: string;

  @Property({ type: 'string', length: 32 })
  kind!: GenerationKind;

  @Property({ type: 'string', length: 16 })
  status: GenerationStatus = GenerationStatus.QUEUED;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}

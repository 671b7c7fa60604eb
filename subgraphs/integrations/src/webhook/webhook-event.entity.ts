import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { JSONScalar } from '@atrium/platform/federation';
import { Field, ID, ObjectType } from 'type-graphql';

/** A verified webhook delivery. A provider's delivery id is stored once, however often it is delivered. */
@ObjectType('WebhookEvent', { description: "A provider's webhook delivery, verified before it was stored." })
@Entity({ tableName: 'webhook_events' })
@Unique({ properties: ['providerId', 'deliveryId'] })
@Index({ properties: ['connectionId', 'receivedAt'] })
export class WebhookEvent {
  [OptionalProps]?: 'id' | 'connectionId' | 'deliveryId';

  @Field(() => ID, { description: "Atrium's id of the stored event." })
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Field(() => ID, { description: 'The provider that sent it.' })
  @Property({ type: 'string', length: 64 })
  providerId!: string;

  /** The connection whose external account the payload names; null when none matches (kept, not exposed). */
  @Property({ type: 'string', length: 36, nullable: true })
  connectionId: string | null = null;

  @Field({ description: "The provider's event type (e.g. GitHub's X-GitHub-Event, Slack's event.type)." })
  @Property({ type: 'string', length: 128 })
  eventType!: string;

  @Field(() => String, {
    nullable: true,
    description: "The provider's delivery id; a repeated one is stored once.",
  })
  @Property({ type: 'string', length: 128, nullable: true })
  deliveryId: string | null = null;

  @Field({ description: 'When Atrium received it.' })
  @Property({ type: 'datetime' })
  receivedAt!: Date;

  @Field(() => JSONScalar, { description: 'The JSON body the provider signed.' })
  @Property({ type: 'json' })
  payload!: unknown;
}

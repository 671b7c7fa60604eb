import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { JSONScalar } from '@atrium/platform/federation';

/**
 * One security-relevant fact: who did what to whom, from where, when. Metadata holds ids, reasons and role
 * names — never a password, token, code or key (the service only ever passes such values through `redact`).
 */
@ObjectType('AuditEvent')
@Entity({ tableName: 'audit_events' })
@Index({ properties: ['actorId'] })
@Index({ properties: ['targetUserId'] })
export class AuditEvent {
  [OptionalProps]?: 'at' | 'metadata';

  /** Increasing, so it doubles as the pagination cursor (newest first). */
  @Field(() => ID)
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Field({
    description: 'e.g. signin.failed, refresh_token.reused, user.roles_changed (see docs/identity.md).',
  })
  @Property({ type: 'string', length: 64 })
  type!: string;

  @Property({ type: 'string', length: 36, nullable: true })
  actorId?: string | null;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'string', length: 36, nullable: true })
  targetUserId?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  ip?: string | null;

  @Field()
  @Property({ type: 'datetime' })
  at: Date = new Date();

  /** JSON text; kept as text so both databases store it the same way. */
  @Property({ type: 'text', nullable: true })
  metadataText?: string | null;

  @Field(() => JSONScalar, { nullable: true })
  get metadata(): unknown {
    return this.metadataText ? (JSON.parse(this.metadataText) as unknown) : null;
  }
}

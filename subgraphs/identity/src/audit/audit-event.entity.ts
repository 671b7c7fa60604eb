import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { JSONScalar } from '@atrium/platform/federation';

/**
 * One security-relevant fact: who did what to whom, from where, when. Metadata holds ids, reasons and role
 * names — never a password, token, code or key (the service only ever passes such values through `redact`).
 */
@ObjectType('AuditEvent', {
  description:
    'One security-relevant fact of the audit log: who did what to whom, from where, when. Read with auditEvents.',
})
@Entity({ tableName: 'audit_events' })
@Index({ properties: ['actorId'] })
@Index({ properties: ['targetUserId'] })
export class AuditEvent {
  [OptionalProps]?: 'at' | 'metadata';

  /** Increasing, so it doubles as the pagination cursor (newest first). */
  @Field(() => ID, { description: 'Increasing: a larger id is a later event.' })
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Field({
    description:
      'What happened, e.g. signin.failed, refresh_token.reused, user.roles_changed (the full list is in docs/identity.md).',
  })
  @Property({ type: 'string', length: 64 })
  type!: string;

  @Property({ type: 'string', length: 36, nullable: true })
  actorId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The id of the account the event concerns, when any.' })
  @Property({ type: 'string', length: 36, nullable: true })
  targetUserId?: string | null;

  @Field(() => String, { nullable: true, description: 'The client address of the request, when known.' })
  @Property({ type: 'string', length: 64, nullable: true })
  ip?: string | null;

  @Field({ description: 'When it happened.' })
  @Property({ type: 'datetime' })
  at: Date = new Date();

  /** JSON text; kept as text so both databases store it the same way. */
  @Property({ type: 'text', nullable: true })
  metadataText?: string | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description:
      'Details as a JSON object: ids, reasons, names, roles (e.g. `{ "reason": "disabled" }`); never a password, token, code or key.',
  })
  get metadata(): unknown {
    return this.metadataText ? (JSON.parse(this.metadataText) as unknown) : null;
  }
}

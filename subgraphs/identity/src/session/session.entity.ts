import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/**
 * One signed-in device: a family of refresh tokens, each replacing the last. Revoking the session kills every
 * token of the family at once; access tokens it issued live until their 15-minute expiry.
 */
@ObjectType('Session', {
  description:
    'One signed-in device: a chain of refresh tokens, each replacing the last, from sign-in until it ends. Only its owner sees it.',
})
@Entity({ tableName: 'sessions' })
@Index({ properties: ['userId', 'revokedAt'] })
export class Session {
  [OptionalProps]?: 'createdAt';

  @Field(() => ID, { description: 'Pass it to revokeSession.' })
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 36 })
  userId!: string;

  @Field({ description: 'When the session began (the sign-in).' })
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'The last refresh; null before the first.' })
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt?: Date | null;

  /** Absolute end of the session: refreshing does not extend it. */
  @Field({ description: 'When the session ends at the latest (30 days after sign-in by default).' })
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  /** Why it ended: sign_out, revoked, revoked_all, password_changed, user_disabled, token_reuse. */
  @Property({ type: 'string', length: 32, nullable: true })
  revokedReason?: string | null;

  @Field(() => String, { nullable: true, description: 'The client address at sign-in, when known.' })
  @Property({ type: 'string', length: 64, nullable: true })
  ip?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The User-Agent at sign-in (its first 256 characters), when sent.',
  })
  @Property({ type: 'string', length: 256, nullable: true })
  userAgent?: string | null;
}

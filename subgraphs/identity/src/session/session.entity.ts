import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/**
 * One signed-in device: a family of refresh tokens, each replacing the last. Revoking the session kills every
 * token of the family at once; access tokens it issued live until their 15-minute expiry.
 */
@ObjectType('Session')
@Entity({ tableName: 'sessions' })
@Index({ properties: ['userId', 'revokedAt'] })
export class Session {
  [OptionalProps]?: 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 36 })
  userId!: string;

  @Field()
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt?: Date | null;

  /** Absolute end of the session: refreshing does not extend it. */
  @Field()
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  /** Why it ended: sign_out, revoked, revoked_all, password_changed, user_disabled, token_reuse. */
  @Property({ type: 'string', length: 32, nullable: true })
  revokedReason?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  ip?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 256, nullable: true })
  userAgent?: string | null;
}

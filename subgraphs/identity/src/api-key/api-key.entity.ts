import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/** An integrator's credential. The secret is shown once at creation; only its SHA-256 is kept. */
@ObjectType('ApiKey', {
  description:
    "An integrator's credential (`atr_…`): it acts as its owner, narrowed to its scopes. Only its owner lists it (an ADMIN may revoke it); the secret is never shown again.",
})
@Entity({ tableName: 'api_keys' })
export class ApiKey {
  [OptionalProps]?: 'createdAt' | 'scopes';

  @Field(() => ID, { description: 'Pass it to revokeApiKey.' })
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 36, index: true })
  userId!: string;

  @Field({ description: 'Your label for the key, 1 to 100 characters.' })
  @Property({ type: 'string', length: 100 })
  name!: string;

  @Field({ description: 'The first characters of the secret (`atr_` + 8), to tell keys apart.' })
  @Property({ type: 'string', length: 16 })
  prefix!: string;

  @Property({ type: 'string', length: 64, unique: true })
  secretHash!: string;

  /** Space-separated, from the documented scope list. */
  @Property({ type: 'string', length: 512 })
  scopesText!: string;

  @Field(() => [String], {
    description:
      "What the key may do, e.g. generation:read (the list is in docs/identity.md). Scopes the owner's roles no longer allow stop working.",
  })
  get scopes(): string[] {
    return this.scopesText.split(' ').filter((scope) => scope.length > 0);
  }

  @Field({ description: 'When the key was created.' })
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, {
    nullable: true,
    description: 'The last use, updated at most once a minute; null while never used.',
  })
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the key stops working; null: never.' })
  @Property({ type: 'datetime', nullable: true })
  expiresAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the key was revoked; null while it is not.' })
  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;
}

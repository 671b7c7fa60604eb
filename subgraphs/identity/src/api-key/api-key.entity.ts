import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/** An integrator's credential. The secret is shown once at creation; only its SHA-256 is kept. */
@ObjectType('ApiKey')
@Entity({ tableName: 'api_keys' })
export class ApiKey {
  [OptionalProps]?: 'createdAt' | 'scopes';

  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 36, index: true })
  userId!: string;

  @Field()
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

  @Field(() => [String])
  get scopes(): string[] {
    return this.scopesText.split(' ').filter((scope) => scope.length > 0);
  }

  @Field()
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  expiresAt?: Date | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;
}

import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { Role, rolesFromText } from './role';

/** An Atrium account. Identity owns the User entity; other subgraphs add fields to it by key. */
@Directive('@key(fields: "id")')
@ObjectType('User')
@Entity({ tableName: 'users' })
export class User {
  [OptionalProps]?: 'disabled' | 'createdAt' | 'updatedAt' | 'roles' | 'mfaEnabled';

  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  /** Normalised (trimmed, NFKC, lower case), so one address is one account. */
  @Field({ description: 'Visible to the user themself and to ADMINs; anyone else gets FORBIDDEN.' })
  @Property({ type: 'string', length: 254, unique: 'users_email_unique' })
  email!: string;

  @Field()
  @Property({ type: 'string', length: 100 })
  displayName!: string;

  /** Argon2id PHC string; empty for an account that cannot sign in with a password. */
  @Property({ type: 'string', length: 255 })
  passwordHash!: string;

  @Property({ type: 'string', length: 64, fieldName: 'roles' })
  rolesText!: string;

  @Field(() => [Role])
  get roles(): Role[] {
    return rolesFromText(this.rolesText);
  }

  @Field()
  @Property({ type: 'boolean', default: false })
  disabled: boolean = false;

  /** The confirmed TOTP seed, sealed with IDENTITY_ENCRYPTION_KEY; null while MFA is off. */
  @Property({ type: 'text', nullable: true })
  totpSecret?: string | null;

  /** A seed from `startTotpEnrollment` awaiting its first code. */
  @Property({ type: 'text', nullable: true })
  pendingTotpSecret?: string | null;

  /** The last TOTP time step accepted: a code of that step or earlier is never accepted again. */
  @Property({ type: 'integer', nullable: true })
  totpLastStep?: number | null;

  @Field({ description: 'Whether sign-in asks for a second factor (TOTP or a recovery code).' })
  get mfaEnabled(): boolean {
    return this.mfaEnabledAt != null;
  }

  @Property({ type: 'datetime', nullable: true })
  mfaEnabledAt?: Date | null;

  @Field()
  @Index()
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  lastSignInAt?: Date | null;
}

import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { Role, rolesFromText } from './role';

/** An Atrium account. Identity owns the User entity; other subgraphs add fields to it by key. */
@Directive('@key(fields: "id")')
@ObjectType('User', {
  description:
    'An Atrium account. Reached through `me`, `user`, `users` (ADMIN) and the fields that point at one; integrations adds `connections`, generation adds `generationJobs`.',
})
@Entity({ tableName: 'users' })
export class User {
  [OptionalProps]?: 'disabled' | 'createdAt' | 'updatedAt' | 'roles' | 'mfaEnabled';

  @Field(() => ID, { description: 'Stable identifier (a UUID).' })
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  /** Normalised (trimmed, NFKC, lower case), so one address is one account. */
  @Field({
    description:
      'Sign-in address: trimmed, NFKC-normalised, lower case, at most 254 characters. Visible to the user themself and to ADMINs; anyone else gets FORBIDDEN on this field.',
  })
  @Property({ type: 'string', length: 254, unique: 'users_email_unique' })
  email!: string;

  @Field({ description: 'The name shown to people, 1 to 100 characters.' })
  @Property({ type: 'string', length: 100 })
  displayName!: string;

  /** Argon2id PHC string; empty for an account that cannot sign in with a password. */
  @Property({ type: 'string', length: 255 })
  passwordHash!: string;

  @Property({ type: 'string', length: 64, fieldName: 'roles' })
  rolesText!: string;

  @Field(() => [Role], {
    description:
      'What the account may do; new accounts are MEMBERs. Changed by setUserRoles; a change reaches access tokens at their next refresh.',
  })
  get roles(): Role[] {
    return rolesFromText(this.rolesText);
  }

  @Field({
    description:
      'A disabled account cannot sign in or refresh, and its API keys stop working; set by setUserDisabled (ADMIN).',
  })
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

  @Field({ description: 'When the account was created.' })
  @Index()
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'The last completed sign-in; null before the first.' })
  @Property({ type: 'datetime', nullable: true })
  lastSignInAt?: Date | null;
}

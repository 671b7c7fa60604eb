import { ArgsType, Field, ID, Int } from 'type-graphql';
import { Role } from '../user/role';

// Argument classes keep arguments in the contract's order in the printed schema (type-graphql lists inline
// @Arg parameters last-first).

@ArgsType()
export class UsersArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: 20,
    description: 'Page size: at most 100 (more is clamped); negative is BAD_USER_INPUT.',
  })
  first!: number | null;

  @Field(() => String, { nullable: true, description: "The previous page's `endCursor`." })
  after!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Part of an email or display name, case-insensitive; the first 100 characters count.',
  })
  search!: string | null;
}

@ArgsType()
export class AuditEventsArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: 50,
    description: 'Page size: at most 100 (more is clamped); negative is BAD_USER_INPUT.',
  })
  first!: number | null;

  @Field(() => String, { nullable: true, description: "The previous page's `endCursor`." })
  after!: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      "ADMIN: only this account's events. Anyone else may name only themself (FORBIDDEN otherwise).",
  })
  userId!: string | null;
}

@ArgsType()
export class CompleteMfaSignInArgs {
  @Field({ description: 'The `challengeToken` of the MfaChallenge signIn returned.' })
  challengeToken!: string;

  @Field({ description: 'A 6-digit TOTP code or a recovery code (dashes, spaces and case do not matter).' })
  code!: string;
}

@ArgsType()
export class ChangePasswordArgs {
  @Field({ description: 'The password the account has now.' })
  currentPassword!: string;

  @Field({ description: 'The new password, 12 to 256 characters.' })
  newPassword!: string;
}

@ArgsType()
export class SetUserRolesArgs {
  @Field(() => ID, { description: 'The account to change.' })
  userId!: string;

  @Field(() => [Role], { description: 'The complete new set of roles, at least one.' })
  roles!: Role[];
}

@ArgsType()
export class SetUserDisabledArgs {
  @Field(() => ID, { description: 'The account to change.' })
  userId!: string;

  @Field({ description: 'True disables the account (ending its sessions), false enables it again.' })
  disabled!: boolean;
}

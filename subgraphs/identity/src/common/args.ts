import { ArgsType, Field, ID, Int } from 'type-graphql';
import { Role } from '../user/role';

// Argument classes keep arguments in the contract's order in the printed schema (type-graphql lists inline
// @Arg parameters last-first).

@ArgsType()
export class UsersArgs {
  @Field(() => Int, { nullable: true, defaultValue: 20 })
  first!: number | null;

  @Field(() => String, { nullable: true })
  after!: string | null;

  @Field(() => String, { nullable: true })
  search!: string | null;
}

@ArgsType()
export class AuditEventsArgs {
  @Field(() => Int, { nullable: true, defaultValue: 50 })
  first!: number | null;

  @Field(() => String, { nullable: true })
  after!: string | null;

  @Field(() => ID, { nullable: true })
  userId!: string | null;
}

@ArgsType()
export class CompleteMfaSignInArgs {
  @Field()
  challengeToken!: string;

  @Field({ description: 'A 6-digit TOTP code or a recovery code.' })
  code!: string;
}

@ArgsType()
export class ChangePasswordArgs {
  @Field()
  currentPassword!: string;

  @Field()
  newPassword!: string;
}

@ArgsType()
export class SetUserRolesArgs {
  @Field(() => ID)
  userId!: string;

  @Field(() => [Role])
  roles!: Role[];
}

@ArgsType()
export class SetUserDisabledArgs {
  @Field(() => ID)
  userId!: string;

  @Field()
  disabled!: boolean;
}

import { ArgsType, Field, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '@atrium/platform/pagination';
import { Role } from './role';
import { User } from './user.entity';

@ObjectType('UserEdge', { description: 'One account in a page of `users`.' })
export class UserEdge {
  @Field({ description: 'Opaque; pass it as `after` to continue after this account.' })
  cursor!: string;

  @Field(() => User, { description: 'The account.' })
  node!: User;
}

@ObjectType('UserConnection', { description: 'A page of accounts, oldest first.' })
export class UserConnection {
  @Field(() => [UserEdge], { description: 'The accounts of this page, at most `first`.' })
  edges!: UserEdge[];

  @Field(() => PageInfo, { description: 'Whether more accounts follow, and the cursor to continue from.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'How many accounts match `search`, over all pages.' })
  totalCount!: number;
}

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

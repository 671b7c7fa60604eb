import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context';
import { callerId } from '../request';
import { User } from './user.entity';
import {
  ChangePasswordArgs,
  SetUserDisabledArgs,
  SetUserRolesArgs,
  UserConnection,
  UsersArgs,
} from './user.types';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, {
    nullable: true,
    description:
      'The signed-in user, or the owner of the API key (scope profile:read); null for an anonymous caller.',
  })
  async me(@Ctx() ctx: IdentityContext): Promise<User | null> {
    const id = callerId(ctx.principal);
    return id ? ctx.loaders.user.load(id) : null;
  }

  @Query(() => User, {
    nullable: true,
    description:
      "One account by id: your own or, for an ADMIN, anyone's (others get FORBIDDEN); null when there is none. Scope profile:read.",
  })
  user(
    @Arg('id', () => ID, { description: "The account's id." }) id: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<User | null> {
    return ctx.app.users.findVisible(ctx.principal, ctx.loaders.user, id);
  }

  @Query(() => UserConnection, {
    description: 'ADMIN (scope users:read): every account, oldest first, a page at a time.',
  })
  users(@Args(() => UsersArgs) args: UsersArgs, @Ctx() ctx: IdentityContext): Promise<UserConnection> {
    return ctx.app.users.list(ctx.request, args);
  }

  @Mutation(() => User, {
    description:
      "ADMIN (scope users:write): replaces an account's roles; returns the account. Errors: BAD_USER_INPUT (no role), NOT_FOUND, CONFLICT (the last ADMIN would lose the role, or another role change is in progress).",
  })
  setUserRoles(
    @Args(() => SetUserRolesArgs) args: SetUserRolesArgs,
    @Ctx() ctx: IdentityContext,
  ): Promise<User> {
    return ctx.app.users.setRoles(ctx.request, args.userId, args.roles);
  }

  @Mutation(() => User, {
    description:
      'ADMIN (scope users:write): disables an account, revoking every session, or enables it again; returns the account. Errors: NOT_FOUND, CONFLICT (the last active ADMIN cannot be disabled).',
  })
  setUserDisabled(
    @Args(() => SetUserDisabledArgs) args: SetUserDisabledArgs,
    @Ctx() ctx: IdentityContext,
  ): Promise<User> {
    return ctx.app.users.setDisabled(ctx.request, args.userId, args.disabled);
  }

  @Mutation(() => Boolean, {
    description:
      'Changes your password and revokes every session of the account, this one included: sign in again. Access token only (an API key gets FORBIDDEN). Errors: BAD_USER_INPUT (wrong current password, or the new one is not 12 to 256 characters), RATE_LIMITED.',
  })
  changePassword(
    @Args(() => ChangePasswordArgs) args: ChangePasswordArgs,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    return ctx.app.users.changePassword(ctx.request, args.currentPassword, args.newPassword);
  }
}

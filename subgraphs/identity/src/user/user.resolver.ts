import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ChangePasswordArgs, SetUserDisabledArgs, SetUserRolesArgs, UsersArgs } from '../common/args';
import { callerId, type IdentityContext } from '../context';
import { User } from './user.entity';
import { changePassword, findVisibleUser, listUsers, setUserDisabled, setUserRoles } from './user.service';
import { UserConnection } from './user.types';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { nullable: true, description: 'The signed-in user (or the owner of the API key).' })
  async me(@Ctx() ctx: IdentityContext): Promise<User | null> {
    const id = callerId(ctx);
    return id ? ctx.loaders.user.load(id) : null;
  }

  @Query(() => User, { nullable: true, description: 'The user themself or, for an ADMIN, anyone.' })
  user(@Arg('id', () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<User | null> {
    return findVisibleUser(ctx, id);
  }

  @Query(() => UserConnection, { description: 'ADMIN: every account, oldest first; `first` at most 100.' })
  users(@Args(() => UsersArgs) args: UsersArgs, @Ctx() ctx: IdentityContext): Promise<UserConnection> {
    return listUsers(ctx, args);
  }

  @Mutation(() => User, { description: 'ADMIN: replaces the roles; the last ADMIN keeps theirs.' })
  setUserRoles(
    @Args(() => SetUserRolesArgs) args: SetUserRolesArgs,
    @Ctx() ctx: IdentityContext,
  ): Promise<User> {
    return setUserRoles(ctx, args.userId, args.roles);
  }

  @Mutation(() => User, { description: 'ADMIN: disabling revokes every session of the user.' })
  setUserDisabled(
    @Args(() => SetUserDisabledArgs) args: SetUserDisabledArgs,
    @Ctx() ctx: IdentityContext,
  ): Promise<User> {
    return setUserDisabled(ctx, args.userId, args.disabled);
  }

  @Mutation(() => Boolean, { description: 'Revokes every session of the account, this one included.' })
  changePassword(
    @Args(() => ChangePasswordArgs) args: ChangePasswordArgs,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    return changePassword(ctx, args.currentPassword, args.newPassword);
  }
}

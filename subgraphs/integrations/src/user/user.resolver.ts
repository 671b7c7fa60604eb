import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Connection, ConnectionStatus } from '../connection/connection.entity';
import type { IntegrationsContext } from '../context';
import { User } from './user.type';

@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => [Connection], { description: "The user's connections, newest first; self or ADMIN." })
  connections(
    @Root() user: User,
    @Ctx() ctx: IntegrationsContext,
    @Arg('status', () => ConnectionStatus, {
      nullable: true,
      description: 'Only connections in this status.',
    })
    status?: ConnectionStatus | null,
  ): Promise<Connection[]> {
    return ctx.app.connections.list(ctx.principal, user.id, status);
  }
}

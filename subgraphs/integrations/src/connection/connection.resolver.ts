import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { IntegrationsContext } from '../context';
import { IntegrationProvider } from '../provider/integration-provider.type';
import { User } from '../user/user.type';
import { listWebhookEvents } from '../webhook/webhook-event.queries';
import { WebhookEventConnection } from '../webhook/webhook-event.types';
import { Connection, ConnectionStatus } from './connection.entity';
import { ConnectionStart } from './connection.types';

@Resolver(() => Connection)
export class ConnectionResolver {
  @Query(() => [Connection], { description: "The caller's connections, newest first." })
  connections(
    @Ctx() ctx: IntegrationsContext,
    @Arg('status', () => ConnectionStatus, {
      nullable: true,
      description: 'Only connections in this status.',
    })
    status?: ConnectionStatus | null,
  ): Promise<Connection[]> {
    return ctx.app.connections.list(ctx.principal, ctx.principal.userId!, status);
  }

  @Query(() => Connection, { nullable: true, description: 'Owner or ADMIN; anyone else gets NOT_FOUND.' })
  connection(
    @Arg('id', () => ID, { description: 'The connection id.' }) id: string,
    @Ctx() ctx: IntegrationsContext,
  ): Promise<Connection> {
    return ctx.app.connections.get(ctx.principal, id);
  }

  @Mutation(() => ConnectionStart, {
    description:
      'Starts an OAuth 2.0 connection: a single-use state (10 minutes) and the URL to authorize at.',
  })
  startConnection(
    @Arg('providerId', () => ID, { description: 'An OAUTH2 provider of integrationProviders.' })
    providerId: string,
    @Ctx() ctx: IntegrationsContext,
    @Arg('scopes', () => [String], {
      nullable: true,
      description: "Scopes to ask for (at most 50); default: the provider's defaultScopes.",
    })
    scopes?: string[] | null,
  ): Promise<ConnectionStart> {
    return ctx.app.flow.start(ctx.principal, providerId, scopes);
  }

  @Mutation(() => Connection, {
    description:
      "Completes the caller's OAuth connection with the provider's code (instead of GET /oauth/callback).",
  })
  completeConnection(
    @Arg('state', { description: 'The state startConnection returned (and the provider sent back).' })
    state: string,
    @Arg('code', { description: "The provider's authorization code from the redirect." }) code: string,
    @Ctx() ctx: IntegrationsContext,
  ): Promise<Connection> {
    return ctx.app.flow.complete({ principal: ctx.principal, state, code });
  }

  @Mutation(() => Connection, {
    description: 'Checks the key, then stores it encrypted; it is never shown again.',
  })
  connectWithApiKey(
    @Arg('providerId', () => ID, { description: 'An API_KEY provider of integrationProviders.' })
    providerId: string,
    @Arg('apiKey', { description: "The key, in the provider's format; stored encrypted, never shown again." })
    apiKey: string,
    @Ctx() ctx: IntegrationsContext,
  ): Promise<Connection> {
    return ctx.app.connections.connectWithApiKey(ctx.principal, providerId, apiKey);
  }

  @Mutation(() => Connection, { description: 'Refreshes OAuth tokens now (an API key is tried again).' })
  refreshConnection(
    @Arg('id', () => ID, { description: 'The connection id.' }) id: string,
    @Ctx() ctx: IntegrationsContext,
  ): Promise<Connection> {
    return ctx.app.refresh.refreshNow(ctx.principal, id);
  }

  @Mutation(() => Connection, {
    description: 'Revokes at the provider where it supports revocation, and always deletes the credentials.',
  })
  disconnect(
    @Arg('id', () => ID, { description: 'The connection id.' }) id: string,
    @Ctx() ctx: IntegrationsContext,
  ): Promise<Connection> {
    return ctx.app.connections.disconnect(ctx.principal, id);
  }

  @FieldResolver(() => IntegrationProvider, { description: 'The provider this connection is to.' })
  provider(@Root() connection: Connection, @Ctx() ctx: IntegrationsContext): IntegrationProvider {
    return ctx.app.providers.describe(ctx.app.providers.get(connection.providerId));
  }

  @FieldResolver(() => User, { description: 'The user who connected it.' })
  owner(@Root() connection: Connection): User {
    return { id: connection.ownerId };
  }

  @FieldResolver(() => WebhookEventConnection, {
    description: 'Verified deliveries for this connection, newest first.',
  })
  webhookEvents(
    @Root() connection: Connection,
    @Ctx() ctx: IntegrationsContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: 'Page size, at most 100.' })
    first: number,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page.' })
    after?: string | null,
  ): Promise<WebhookEventConnection> {
    return listWebhookEvents(ctx.em, connection.id, { first, after });
  }
}

import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context';
import { ApiKey } from './api-key.entity';
import { ApiKeysArgs, CreateApiKeyInput, CreatedApiKey } from './api-key.types';

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Query(() => [ApiKey], {
    description:
      'Your API keys, newest first, a page at a time: the ones that work and your latest 50 revoked or expired ones (older ones are deleted when you create or revoke a key; the audit log keeps their events). Access token only (an API key gets FORBIDDEN). Errors: BAD_USER_INPUT (negative `first`, `after` not one of your keys).',
  })
  apiKeys(@Ctx() ctx: IdentityContext, @Args() page: ApiKeysArgs): Promise<ApiKey[]> {
    return ctx.app.apiKeys.listMine(ctx.request, page);
  }

  @Mutation(() => CreatedApiKey, {
    description:
      'Creates an API key for you; its secret is in this answer only. At most 25 active keys (revoked and expired ones do not count). Access token only (an API key gets FORBIDDEN). Errors: BAD_USER_INPUT (name length, no or unknown scope, expiresAt not in the future), FORBIDDEN (a scope your roles do not allow), CONFLICT (25 active keys already: revoke one).',
  })
  createApiKey(
    @Arg('input', () => CreateApiKeyInput, { description: 'Name, scopes and optional expiry.' })
    input: CreateApiKeyInput,
    @Ctx() ctx: IdentityContext,
  ): Promise<CreatedApiKey> {
    return ctx.app.apiKeys.create(ctx.request, input);
  }

  @Mutation(() => ApiKey, {
    description:
      "Revokes one of your API keys (an ADMIN: anyone's) and returns it; the gateway stops accepting it within 30 seconds. Access token only. Errors: NOT_FOUND (no such key of yours).",
  })
  revokeApiKey(
    @Arg('id', () => ID, { description: 'The ApiKey.id.' }) id: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<ApiKey> {
    return ctx.app.apiKeys.revoke(ctx.request, id);
  }
}

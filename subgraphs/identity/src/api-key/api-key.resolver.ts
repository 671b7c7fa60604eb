import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context';
import { ApiKey } from './api-key.entity';
import { CreateApiKeyInput, CreatedApiKey } from './api-key.types';

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Query(() => [ApiKey], {
    description:
      'Your API keys, revoked ones included, newest first. Access token only (an API key gets FORBIDDEN).',
  })
  apiKeys(@Ctx() ctx: IdentityContext): Promise<ApiKey[]> {
    return ctx.app.apiKeys.listMine(ctx.request);
  }

  @Mutation(() => CreatedApiKey, {
    description:
      'Creates an API key for you; its secret is in this answer only. At most 25 active keys. Access token only (an API key gets FORBIDDEN). Errors: BAD_USER_INPUT (name length, no or unknown scope, expiresAt not in the future), FORBIDDEN (a scope your roles do not allow), CONFLICT (25 active keys already).',
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

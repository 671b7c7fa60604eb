import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context';
import { requireActiveUser } from '../user/user.service';
import { ApiKey } from './api-key.entity';
import { createApiKey, listApiKeys, revokeApiKey } from './api-key.service';
import { CreateApiKeyInput, CreatedApiKey } from './api-key.types';

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Query(() => [ApiKey], { description: 'Your API keys, revoked ones included, newest first.' })
  async apiKeys(@Ctx() ctx: IdentityContext): Promise<ApiKey[]> {
    const user = await requireActiveUser(ctx);
    return listApiKeys(ctx, user.id);
  }

  @Mutation(() => CreatedApiKey)
  createApiKey(
    @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput,
    @Ctx() ctx: IdentityContext,
  ): Promise<CreatedApiKey> {
    return createApiKey(ctx, input);
  }

  @Mutation(() => ApiKey)
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<ApiKey> {
    return revokeApiKey(ctx, id);
  }
}

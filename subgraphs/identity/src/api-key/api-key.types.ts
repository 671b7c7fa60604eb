import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ApiKey } from './api-key.entity';

@InputType('CreateApiKeyInput', { description: 'A new API key.' })
export class CreateApiKeyInput {
  @Field({ description: 'A label to tell keys apart, 1 to 100 characters.' })
  name!: string;

  @Field(() => [String], {
    description:
      'At least one, from profile:read, audit:read, integrations:read, integrations:write, generation:read, generation:write, monitoring:read, users:read, users:write; never wider than your roles allow.',
  })
  scopes!: string[];

  @Field(() => Date, {
    nullable: true,
    description: 'When the key stops working, in the future; null: never.',
  })
  expiresAt?: Date | null;
}

@ObjectType('CreatedApiKey', { description: 'A new API key with its secret.' })
export class CreatedApiKey {
  @Field(() => ApiKey, { description: 'The key as listed by apiKeys.' })
  apiKey!: ApiKey;

  @Field({
    description:
      'The secret (`atr_` + 38 characters), shown this once: Atrium keeps only its hash. Send it as `x-api-key` or `Authorization: Bearer`.',
  })
  secret!: string;
}

@ArgsType()
export class ApiKeysArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: 50,
    description: 'Page size: at most 100 (more is clamped); negative is BAD_USER_INPUT.',
  })
  first!: number | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'The id of the last key of the previous page: the page continues after it. Null: from the newest.',
  })
  after!: string | null;
}

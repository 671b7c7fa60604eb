import { Field, InputType, ObjectType } from 'type-graphql';
import { ApiKey } from './api-key.entity';

@InputType('CreateApiKeyInput')
export class CreateApiKeyInput {
  @Field()
  name!: string;

  @Field(() => [String], { description: 'From the documented list; never wider than your roles allow.' })
  scopes!: string[];

  @Field(() => Date, { nullable: true })
  expiresAt?: Date | null;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field({ description: 'The secret, shown this once; Atrium keeps only its hash.' })
  secret!: string;
}

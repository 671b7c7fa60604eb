import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum IntegrationCategory {
  DEVELOPMENT = 'DEVELOPMENT',
  COMMUNICATION = 'COMMUNICATION',
  PRODUCTIVITY = 'PRODUCTIVITY',
  STORAGE = 'STORAGE',
  AI = 'AI',
}
export enum AuthScheme {
  OAUTH2 = 'OAUTH2',
  API_KEY = 'API_KEY',
}
registerEnumType(IntegrationCategory, { name: 'IntegrationCategory' });
registerEnumType(AuthScheme, { name: 'AuthScheme' });

@ObjectType('IntegrationProvider', { description: "A service Atrium can connect to on a user's behalf." })
export class IntegrationProvider {
  @Field(() => ID, { description: 'Stable identifier, e.g. github, google, slack, openai.' })
  id!: string;

  @Field()
  name!: string;

  @Field(() => IntegrationCategory)
  category!: IntegrationCategory;

  @Field(() => AuthScheme)
  authScheme!: AuthScheme;

  @Field(() => [String], { description: 'Scopes requested when the user names none.' })
  defaultScopes!: string[];

  @Field({
    description:
      'Whether this deployment can connect it: for OAUTH2, its client id and secret are configured; API_KEY ' +
      'providers are always configured, because each user brings their own key.',
  })
  configured!: boolean;

  @Field({ description: 'Whether Atrium verifies and stores webhook deliveries of this provider.' })
  supportsWebhooks!: boolean;
}

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
registerEnumType(IntegrationCategory, {
  name: 'IntegrationCategory',
  description: 'What kind of service a provider is, for grouping them in a catalogue.',
  valuesConfig: {
    DEVELOPMENT: { description: 'Code hosting and developer tools, e.g. GitHub.' },
    COMMUNICATION: { description: 'Messaging and mail, e.g. Slack.' },
    PRODUCTIVITY: { description: 'Documents, calendars and boards, e.g. Google, Trello.' },
    STORAGE: { description: 'File storage, e.g. Dropbox.' },
    AI: { description: 'AI model APIs whose key generation uses for your jobs, e.g. OpenAI, Anthropic.' },
  },
});
registerEnumType(AuthScheme, {
  name: 'AuthScheme',
  description: 'How a user connects a provider.',
  valuesConfig: {
    OAUTH2: { description: 'An OAuth 2.0 authorization: startConnection, then the provider redirects back.' },
    API_KEY: { description: 'The user pastes their own key: connectWithApiKey.' },
  },
});

@ObjectType('IntegrationProvider', { description: "A service Atrium can connect to on a user's behalf." })
export class IntegrationProvider {
  @Field(() => ID, { description: 'Stable identifier, e.g. github, google, slack, openai.' })
  id!: string;

  @Field({ description: 'The name to show, e.g. GitHub.' })
  name!: string;

  @Field(() => IntegrationCategory, { description: 'What kind of service it is.' })
  category!: IntegrationCategory;

  @Field(() => AuthScheme, { description: 'How a user connects it.' })
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

import { Field, ObjectType } from 'type-graphql';

@ObjectType('ConnectionStart', { description: "Send the user's browser to `authorizationUrl`." })
export class ConnectionStart {
  @Field({ description: "The provider's authorization URL, with state, PKCE challenge and redirect URI." })
  authorizationUrl!: string;

  @Field({ description: 'Single use, bound to the caller; give it back to completeConnection.' })
  state!: string;

  @Field({ description: 'When the state stops being accepted (10 minutes).' })
  expiresAt!: Date;
}

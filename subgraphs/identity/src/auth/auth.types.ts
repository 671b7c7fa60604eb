import { createUnionType, Field, InputType, ObjectType } from 'type-graphql';
import { User } from '../user/user.entity';

@ObjectType('AuthPayload', {
  description: 'A signed-in session: a 15-minute access token and its refresh token.',
})
export class AuthPayload {
  @Field({ description: 'ES256 JWT for `Authorization: Bearer …`.' })
  accessToken!: string;

  @Field({
    description: 'Opaque; exchange it with refreshSession. Single use: each refresh returns a new one.',
  })
  refreshToken!: string;

  @Field()
  accessTokenExpiresAt!: Date;

  @Field(() => User)
  user!: User;
}

@ObjectType('MfaChallenge', {
  description: 'The password was right; send a TOTP or recovery code with this token.',
})
export class MfaChallengePayload {
  @Field()
  challengeToken!: string;

  @Field()
  expiresAt!: Date;
}

export const SignInResult = createUnionType({
  name: 'SignInResult',
  types: () => [AuthPayload, MfaChallengePayload] as const,
  resolveType: (value) => ('challengeToken' in value ? 'MfaChallenge' : 'AuthPayload'),
});

@InputType('SignUpInput')
export class SignUpInput {
  @Field()
  email!: string;

  @Field()
  password!: string;

  @Field()
  displayName!: string;
}

@InputType('SignInInput')
export class SignInInput {
  @Field()
  email!: string;

  @Field()
  password!: string;
}

import { ArgsType, createUnionType, Field, InputType, ObjectType } from 'type-graphql';
import { User } from '../user/user.entity';

@ObjectType('AuthPayload', {
  description: 'A signed-in session: a 15-minute access token and its refresh token.',
})
export class AuthPayload {
  @Field({ description: 'ES256 JWT to send as `Authorization: Bearer …`; valid 15 minutes.' })
  accessToken!: string;

  @Field({
    description:
      'Opaque; exchange it with refreshSession before the session ends (30 days after sign-in). Single use: each refresh returns a new one.',
  })
  refreshToken!: string;

  @Field({ description: 'When accessToken expires; refresh before.' })
  accessTokenExpiresAt!: Date;

  @Field(() => User, { description: 'The signed-in account.' })
  user!: User;
}

@ObjectType('MfaChallenge', {
  description: 'The password was right; send a TOTP or recovery code with this token.',
})
export class MfaChallengePayload {
  @Field({
    description:
      'Pass it to completeMfaSignIn with a code. Lives 5 minutes and dies after 5 wrong codes; then sign in again.',
  })
  challengeToken!: string;

  @Field({ description: 'When the challenge ends.' })
  expiresAt!: Date;
}

export const SignInResult = createUnionType({
  name: 'SignInResult',
  description: 'What signIn returns: AuthPayload, or MfaChallenge when the account has MFA on.',
  types: () => [AuthPayload, MfaChallengePayload] as const,
  resolveType: (value) => ('challengeToken' in value ? 'MfaChallenge' : 'AuthPayload'),
});

@InputType('SignUpInput', { description: "A new account's details." })
export class SignUpInput {
  @Field({
    description:
      'An email address, at most 254 characters; trimmed, NFKC-normalised and lower-cased. One address, one account.',
  })
  email!: string;

  @Field({ description: '12 to 256 characters (an emoji counts as one).' })
  password!: string;

  @Field({ description: '1 to 100 characters, without control or bidi-override characters.' })
  displayName!: string;
}

@InputType('SignInInput', { description: "An account's credentials." })
export class SignInInput {
  @Field({ description: "The account's email; case and surrounding spaces do not matter." })
  email!: string;

  @Field({ description: "The account's password." })
  password!: string;
}

@ArgsType()
export class CompleteMfaSignInArgs {
  @Field({ description: 'The `challengeToken` of the MfaChallenge signIn returned.' })
  challengeToken!: string;

  @Field({ description: 'A 6-digit TOTP code or a recovery code (dashes, spaces and case do not matter).' })
  code!: string;
}

import { Field, ObjectType } from 'type-graphql';

@ObjectType('TotpEnrollment', {
  description: 'A new TOTP seed; confirm it with a first code to turn MFA on.',
})
export class TotpEnrollment {
  @Field({ description: 'Base32 seed, for apps that cannot scan the URI.' })
  secret!: string;

  @Field({ description: 'otpauth://totp/… for a QR code.' })
  otpauthUri!: string;
}

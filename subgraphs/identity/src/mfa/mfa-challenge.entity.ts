import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The half-finished sign-in of an MFA user: the password was right, a second factor is due. The token the
 * client holds is stored as its SHA-256; a challenge dies after 5 minutes, 5 wrong codes, or one success.
 */
@Entity({ tableName: 'mfa_challenges' })
export class MfaChallenge {
  [OptionalProps]?: 'createdAt' | 'attempts';

  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 36, index: true })
  userId!: string;

  @Property({ type: 'string', length: 64, unique: true })
  tokenHash!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  @Property({ type: 'datetime', nullable: true })
  consumedAt?: Date | null;
}

import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** One single-use recovery code, stored as its SHA-256 (the codes carry 60 random bits). */
@Entity({ tableName: 'recovery_codes' })
export class RecoveryCode {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 36, index: true })
  userId!: string;

  @Property({ type: 'string', length: 64 })
  codeHash!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  usedAt?: Date | null;
}

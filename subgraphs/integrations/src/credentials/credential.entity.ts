import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The secrets of one connection, each sealed by the keyring (never plaintext, never in GraphQL). `version` is the
 * fencing token: every write names the version it read and loses if another writer got there first.
 */
@Entity({ tableName: 'connection_credentials' })
export class Credential {
  @PrimaryKey({ type: 'string', length: 36 })
  connectionId!: string;

  @Property({ type: 'text', nullable: true })
  accessToken: string | null = null;

  @Property({ type: 'text', nullable: true })
  refreshToken: string | null = null;

  @Property({ type: 'text', nullable: true })
  apiKey: string | null = null;

  /** The key every sealed field of the row is under; rotation looks for rows not under the newest key. */
  @Index()
  @Property({ type: 'string', length: 32 })
  keyId!: string;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}

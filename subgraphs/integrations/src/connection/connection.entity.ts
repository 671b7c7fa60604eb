import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum ConnectionStatus {
  PENDING = 'PENDING',
  ACTIVE = 'ACTIVE',
  REFRESH_FAILED = 'REFRESH_FAILED',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
}
registerEnumType(ConnectionStatus, { name: 'ConnectionStatus' });

/** A user's link to one external provider. Credentials are stored apart from it, encrypted. */
@Directive('@key(fields: "id")')
@ObjectType('Connection')
@Entity({ tableName: 'connections' })
export class Connection {
  /** Filled in by defaults, so `em.create` does not require them. */
  [OptionalProps]?: 'id' | 'status' | 'createdAt' | 'updatedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Index()
  @Property({ type: 'string', length: 36 })
  ownerId!: string;

  @Property({ type: 'string', length: 64 })
  providerId!: string;

  @Property({ type: 'string', length: 32 })
  status: ConnectionStatus = ConnectionStatus.PENDING;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

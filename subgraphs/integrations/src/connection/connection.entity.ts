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
registerEnumType(ConnectionStatus, {
  name: 'ConnectionStatus',
  description: 'Where a connection stands; anything but ACTIVE needs the user to connect again.',
  valuesConfig: {
    PENDING: { description: 'Started, not yet authorized.' },
    ACTIVE: { description: 'Usable: credentials stored and, for OAuth, not expired.' },
    REFRESH_FAILED: { description: 'The provider refused a refresh or the key; see `lastError`. Reconnect.' },
    EXPIRED: {
      description: 'The access token expired and the provider gave no way to refresh it. Reconnect.',
    },
    REVOKED: { description: 'Disconnected: the credentials are deleted (and revoked where supported).' },
  },
});

/** A user's link to one external provider. Credentials are stored apart from it, encrypted. */
@Directive('@key(fields: "id")')
@ObjectType('Connection', {
  description:
    "A user's account at a provider, connected by OAuth or an API key; its credentials are stored encrypted and never shown. Visible to its owner and ADMINs (API keys: integrations:read).",
})
@Entity({ tableName: 'connections' })
@Index({ properties: ['providerId', 'externalAccountId'] })
export class Connection {
  /** Filled in by defaults, so `em.create` does not require them. */
  [OptionalProps]?:
    | 'id'
    | 'status'
    | 'createdAt'
    | 'updatedAt'
    | 'scopes'
    | 'externalAccountId'
    | 'externalAccountName'
    | 'expiresAt'
    | 'lastRefreshedAt'
    | 'lastError';

  @Field(() => ID, { description: 'Stable identifier (a UUID).' })
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Index()
  @Property({ type: 'string', length: 36 })
  ownerId!: string;

  @Property({ type: 'string', length: 64 })
  providerId!: string;

  @Field(() => ConnectionStatus, { description: 'Whether the connection can be used now.' })
  @Property({ type: 'string', length: 32 })
  status: ConnectionStatus = ConnectionStatus.PENDING;

  @Field(() => [String], { description: 'Scopes the provider granted (or, for API keys, none).' })
  @Property({ type: 'json', defaultRaw: "'[]'" })
  scopes: string[] = [];

  @Field(() => String, { nullable: true, description: "The account's id at the provider, where it says." })
  @Property({ type: 'string', length: 255, nullable: true })
  externalAccountId: string | null = null;

  @Field(() => String, { nullable: true, description: "The account's name at the provider, where it says." })
  @Property({ type: 'string', length: 255, nullable: true })
  externalAccountName: string | null = null;

  @Field({ description: 'When the account was connected.' })
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field({ description: 'When the status, tokens or key last changed.' })
  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When the access token expires; null when it does not.' })
  @Index()
  @Property({ type: 'datetime', nullable: true })
  expiresAt: Date | null = null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the tokens were last refreshed; null before the first refresh.',
  })
  @Property({ type: 'datetime', nullable: true })
  lastRefreshedAt: Date | null = null;

  @Field(() => String, {
    nullable: true,
    description: "Why the connection is not ACTIVE (the provider's reason, never a credential).",
  })
  @Property({ type: 'string', length: 500, nullable: true })
  lastError: string | null = null;
}

import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One authorization attempt: single use, bound to the user who started it, expiring after 10 minutes. The
 * state value itself is stored only as a SHA-256 hash; the PKCE verifier is sealed like any credential.
 */
@Entity({ tableName: 'oauth_states' })
export class OAuthState {
  @PrimaryKey({ type: 'string', length: 64 })
  stateHash!: string;

  @Property({ type: 'string', length: 36 })
  ownerId!: string;

  @Property({ type: 'string', length: 64 })
  providerId!: string;

  @Property({ type: 'json' })
  scopes!: string[];

  @Property({ type: 'text', nullable: true })
  codeVerifier!: string | null;

  /** The redirect URI sent in the authorization request; the token request repeats it exactly. */
  @Property({ type: 'string', length: 2048 })
  redirectUri!: string;

  @Index()
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}

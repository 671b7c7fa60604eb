import { Connection } from './connection/connection.entity';
import { Credential } from './credentials/credential.entity';
import { Migration20261122000000CreateConnections } from './migrations/Migration20261122000000CreateConnections';
import { Migration20261129000000IntegrationsV2 } from './migrations/Migration20261129000000IntegrationsV2';
import { OAuthState } from './oauth/oauth-state.entity';
import { WebhookEvent } from './webhook/webhook-event.entity';

export const entities = [Connection, Credential, OAuthState, WebhookEvent];

/** In order; names are recorded in the database, so a migration is never renamed once released. */
export const migrations = [
  { name: 'Migration20261122000000CreateConnections', class: Migration20261122000000CreateConnections },
  { name: 'Migration20261129000000IntegrationsV2', class: Migration20261129000000IntegrationsV2 },
];

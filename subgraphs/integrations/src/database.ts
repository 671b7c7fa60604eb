import { Connection } from './connection/connection.entity';
import { Migration20261122000000CreateConnections } from './migrations/Migration20261122000000CreateConnections';

export const entities = [Connection];

/** In order; names are recorded in the database, so a migration is never renamed once released. */
export const migrations = [
  { name: 'Migration20261122000000CreateConnections', class: Migration20261122000000CreateConnections },
];

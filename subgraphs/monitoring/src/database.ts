import { Alert } from './alert/alert.entity';
import { Migration20261122000000CreateAlerts } from './migrations/Migration20261122000000CreateAlerts';
import { Migration20261129000000AlertLifecycle } from './migrations/Migration20261129000000AlertLifecycle';

export const entities = [Alert];

/** In order; names are recorded in the database, so a migration is never renamed once released. */
export const migrations = [
  { name: 'Migration20261122000000CreateAlerts', class: Migration20261122000000CreateAlerts },
  { name: 'Migration20261129000000AlertLifecycle', class: Migration20261129000000AlertLifecycle },
];

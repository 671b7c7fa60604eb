import { Migration20261122000000CreateUsers } from './migrations/Migration20261122000000CreateUsers';
import { User } from './user/user.entity';

export const entities = [User];

/** In order; names are recorded in the database, so a migration is never renamed once released. */
export const migrations = [
  { name: 'Migration20261122000000CreateUsers', class: Migration20261122000000CreateUsers },
];

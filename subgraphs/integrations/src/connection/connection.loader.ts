import type { EntityManager } from '@mikro-orm/core';
import { createLoader, type Loader } from '@atrium/platform/dataloader';
import { Connection } from './connection.entity';

/** One query for every Connection representation of a request. */
export function createConnectionLoader(em: EntityManager): Loader<string, Connection> {
  return createLoader<string, Connection>(
    (ids) => em.find(Connection, { id: { $in: [...ids] } }),
    (connection) => connection.id,
  );
}

import type { EntityManager } from '@mikro-orm/core';
import { createLoader, type Loader } from '@atrium/platform/dataloader';
import { User } from './user.entity';

/** One query for every User representation of a request. */
export function createUserLoader(em: EntityManager): Loader<string, User> {
  return createLoader<string, User>(
    (ids) => em.find(User, { id: { $in: [...ids] } }),
    (user) => user.id,
  );
}

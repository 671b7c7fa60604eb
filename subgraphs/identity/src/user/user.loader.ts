import type { EntityManager } from '@mikro-orm/core';
import { createLoader, type Loader } from '@atrium/platform/dataloader';
import { findByIds } from '@atrium/platform/database';
import { User } from './user.entity';

/** One query for every User representation of a request (written once: `me` is the hottest read there is). */
export function createUserLoader(em: EntityManager): Loader<string, User> {
  return createLoader<string, User>(
    (ids) => findByIds(em, User, ids),
    (user) => user.id,
  );
}

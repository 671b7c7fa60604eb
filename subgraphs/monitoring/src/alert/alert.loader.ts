import type { EntityManager } from '@mikro-orm/core';
import { createLoader, type Loader } from '@atrium/platform/dataloader';
import { Alert } from './alert.entity';

/** One query for every Alert representation of a request. */
export function createAlertLoader(em: EntityManager): Loader<string, Alert> {
  return createLoader<string, Alert>(
    (ids) => em.find(Alert, { id: { $in: [...ids] } }),
    (alert) => alert.id,
  );
}

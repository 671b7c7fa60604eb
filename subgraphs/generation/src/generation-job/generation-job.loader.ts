import type { EntityManager } from '@mikro-orm/core';
import { createLoader, type Loader } from '@atrium/platform/dataloader';
import { findByIds } from '@atrium/platform/database';
import { GenerationJob } from './generation-job.entity';

/** One query for every GenerationJob representation of a request, written once (see findByIds). */
export function createGenerationJobLoader(em: EntityManager): Loader<string, GenerationJob> {
  return createLoader<string, GenerationJob>(
    (ids) => findByIds(em, GenerationJob, ids),
    (job) => job.id,
  );
}

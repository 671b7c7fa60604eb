import type { EntityManager } from '@mikro-orm/core';
import { createLoader, type Loader } from '@atrium/platform/dataloader';
import { GenerationJob } from './generation-job.entity';

/** One query for every GenerationJob representation of a request. */
export function createGenerationJobLoader(em: EntityManager): Loader<string, GenerationJob> {
  return createLoader<string, GenerationJob>(
    (ids) => em.find(GenerationJob, { id: { $in: [...ids] } }),
    (job) => job.id,
  );
}

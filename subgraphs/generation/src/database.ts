import { GenerationJob } from './generation-job/generation-job.entity';
import { Migration20261122000000CreateGenerationJobs } from './migrations/Migration20261122000000CreateGenerationJobs';
import { Migration20261123000000GenerationJobsV2 } from './migrations/Migration20261123000000GenerationJobsV2';
import { Migration20261129000000GenerationJobsKeyOwner } from './migrations/Migration20261129000000GenerationJobsKeyOwner';
import { Migration20261129190000GenerationJobsLease } from './migrations/Migration20261129190000GenerationJobsLease';

export const entities = [GenerationJob];

/** In order; names are recorded in the database, so a migration is never renamed once released. */
export const migrations = [
  { name: 'Migration20261122000000CreateGenerationJobs', class: Migration20261122000000CreateGenerationJobs },
  { name: 'Migration20261123000000GenerationJobsV2', class: Migration20261123000000GenerationJobsV2 },
  {
    name: 'Migration20261129000000GenerationJobsKeyOwner',
    class: Migration20261129000000GenerationJobsKeyOwner,
  },
  { name: 'Migration20261129190000GenerationJobsLease', class: Migration20261129190000GenerationJobsLease },
];

import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { GenerationJob, type GenerationStatus } from './generation-job.entity';
import type { GenerationJobConnection } from './generation-job.types';
import { findWhereEqual } from '@atrium/platform/database';
import { clampFirst, decodeCursor, pageOf, rowsAfter } from '@atrium/platform/pagination';

/** One page of a user's jobs, newest first, with the total matching `status`. */
export async function listJobs(
  em: EntityManager,
  ownerId: string,
  args: { first?: number | null; after?: string | null; status?: GenerationStatus | null },
): Promise<GenerationJobConnection> {
  const first = clampFirst(args.first, 20);
  const base: FilterQuery<GenerationJob> = args.status ? { ownerId, status: args.status } : { ownerId };
  const where: FilterQuery<GenerationJob> = args.after
    ? { $and: [base, rowsAfter('createdAt', decodeCursor(args.after), 'desc')] }
    : base;
  const orderBy = { createdAt: 'desc', id: 'desc' } as const;
  // The first page (nearly every read) by equality, written once; later pages through the query builder.
  const rows = args.after
    ? await em.find(GenerationJob, where, { orderBy, limit: first + 1 })
    : await findWhereEqual(em, GenerationJob, {
        where: args.status ? { ownerId, status: args.status } : { ownerId },
        orderBy,
        limit: first + 1,
      });
  // A first page that is not full holds every matching job, so it is its own count: most users' lists fit on one
  // page, and the second query was a third of this read's database work.
  const totalCount = !args.after && rows.length <= first ? rows.length : await em.count(GenerationJob, base);
  return { ...pageOf(rows, first, (job) => ({ at: job.createdAt, id: job.id })), totalCount };
}

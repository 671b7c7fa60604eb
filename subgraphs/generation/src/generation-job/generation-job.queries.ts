import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { GenerationJob, type GenerationStatus } from './generation-job.entity';
import type { GenerationJobConnection } from './generation-job.types';
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
  const rows = await em.find(GenerationJob, where, {
    orderBy: { createdAt: 'desc', id: 'desc' },
    limit: first + 1,
  });
  // A first page that is not full holds every matching job, so it is its own count: most users' lists fit on one
  // page, and the second query was a third of this read's database work.
  const totalCount = !args.after && rows.length <= first ? rows.length : await em.count(GenerationJob, base);
  return { ...pageOf(rows, first, (job) => ({ at: job.createdAt, id: job.id })), totalCount };
}

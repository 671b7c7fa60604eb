import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { GenerationJob, type GenerationStatus } from './generation-job.entity';
import type { GenerationJobConnection } from './generation-job.types';
import { clampFirst } from '@atrium/platform/pagination';
import { decodeJobCursor, encodeJobCursor } from './pagination';

/** One page of a user's jobs, newest first, with the total matching `status`. */
export async function listJobs(
  em: EntityManager,
  ownerId: string,
  args: { first?: number | null; after?: string | null; status?: GenerationStatus | null },
): Promise<GenerationJobConnection> {
  const first = clampFirst(args.first, 20);
  const base: FilterQuery<GenerationJob> = args.status ? { ownerId, status: args.status } : { ownerId };
  let where = base;
  if (args.after) {
    const cursor = decodeJobCursor(args.after);
    where = {
      $and: [
        base,
        {
          $or: [
            { createdAt: { $lt: cursor.createdAt } },
            { createdAt: cursor.createdAt, id: { $lt: cursor.id } },
          ],
        },
      ],
    };
  }
  const [rows, totalCount] = await Promise.all([
    em.find(GenerationJob, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: first + 1 }),
    em.count(GenerationJob, base),
  ]);
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeJobCursor(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges[edges.length - 1]?.cursor ?? null },
    totalCount,
  };
}

import type { EntityManager } from '@mikro-orm/core';
import type { Lock } from '@atrium/platform/lock';
import { GenerationJob } from '../generation-job/generation-job.entity';
import { withUserLock } from '../generation-job/user-lock';

/** Start of the current UTC day: budgets are per user per UTC day. */
export function startOfUtcDay(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export function secondsUntilUtcMidnight(now = new Date()): number {
  return Math.max(1, Math.ceil((startOfUtcDay(now).getTime() + 86_400_000 - now.getTime()) / 1000));
}

/** Spent plus reserved today by `ownerId`, in micro-USD, optionally leaving one job out. */
export async function spentToday(em: EntityManager, ownerId: string, exceptJobId?: string): Promise<number> {
  const where: Record<string, unknown> = { ownerId, createdAt: { $gte: startOfUtcDay() } };
  if (exceptJobId) where.id = { $ne: exceptJobId };
  const jobs = await em.find(GenerationJob, where, { fields: ['costMicros', 'reservedMicros'] });
  return jobs.reduce((sum, job) => sum + job.costMicros + job.reservedMicros, 0);
}

/** Runs `fn` under the user's budget lock so two workers cannot both reserve the last of a budget. */
export function withBudgetLock<T>(lock: Lock, ownerId: string, fn: () => Promise<T>): Promise<T> {
  return withUserLock(lock, `generation:budget:${ownerId}`, fn, 10_000);
}

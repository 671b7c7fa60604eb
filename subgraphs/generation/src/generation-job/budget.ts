import type { EntityManager } from '@mikro-orm/core';
import type { Lock } from '@atrium/platform/lock';
import { errors, type JobErrorCode } from '../errors';
import { GenerationJob } from './generation-job.entity';
import { withUserLock } from './user-lock';

/**
 * The daily budget, all in one place: per user per UTC day, in micro-USD, counting what jobs spent plus what
 * running jobs hold in reserve. The API refuses new jobs once it is used up; a worker reserves a job's worst
 * case before calling a provider, under a per-user lock so two workers cannot both take the last of it.
 */

/** Start of the current UTC day: budgets are per user per UTC day. */
export function startOfUtcDay(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export function secondsUntilUtcMidnight(now = new Date()): number {
  return Math.max(1, Math.ceil((startOfUtcDay(now).getTime() + 86_400_000 - now.getTime()) / 1000));
}

export function micros(usd: number): number {
  return Math.round(usd * 1_000_000);
}

/** Spent plus reserved today by `ownerId`, in micro-USD, optionally leaving one job out. */
export async function spentToday(em: EntityManager, ownerId: string, exceptJobId?: string): Promise<number> {
  const where: Record<string, unknown> = { ownerId, createdAt: { $gte: startOfUtcDay() } };
  if (exceptJobId) where.id = { $ne: exceptJobId };
  const jobs = await em.find(GenerationJob, where, { fields: ['costMicros', 'reservedMicros'] });
  return jobs.reduce((sum, job) => sum + job.costMicros + job.reservedMicros, 0);
}

/** The API's check before queueing: RATE_LIMITED until midnight UTC once today's budget is used up. */
export async function assertBudgetLeft(em: EntityManager, userId: string, budgetUsd: number): Promise<void> {
  if (budgetUsd <= 0) return;
  if ((await spentToday(em, userId)) >= micros(budgetUsd))
    throw errors.RATE_LIMITED(`Today's generation budget of $${budgetUsd} is used up`, {
      retryAfterSeconds: secondsUntilUtcMidnight(),
    });
}

/** The user's daily budget cannot cover this job's worst case. Not retryable until the next UTC day. */
export class BudgetExceededError extends Error {
  readonly code = 'BUDGET_EXCEEDED' satisfies JobErrorCode;
  readonly retryable = false;
  constructor(budgetUsd: number) {
    super(`the daily generation budget of $${budgetUsd} cannot cover this job; it resets at 00:00 UTC`);
    this.name = 'BudgetExceededError';
  }
}

/**
 * A worker's reservation: under the user's budget lock, refuses the job (BudgetExceededError) when today's
 * spend plus `worstMicros` exceeds the budget, otherwise lets `hold` record the reservation on the job.
 */
export function reserveBudget(options: {
  lock: Lock;
  em: EntityManager;
  ownerId: string;
  jobId: string;
  budgetUsd: number;
  worstMicros: number;
  hold: () => Promise<void>;
}): Promise<void> {
  const { ownerId } = options;
  return withUserLock(
    options.lock,
    `generation:budget:${ownerId}`,
    async () => {
      const spent = await spentToday(options.em, ownerId, options.jobId);
      if (spent + options.worstMicros > micros(options.budgetUsd))
        throw new BudgetExceededError(options.budgetUsd);
      await options.hold();
    },
    10_000,
  );
}

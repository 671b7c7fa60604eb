import type { EntityManager } from '@mikro-orm/core';
import { RateLimiterUnavailableError, type RateLimiter } from '@atrium/platform/rate-limit';
import type { GenerationSettings } from '../config';
import { errors } from '../errors';
import { assertBudgetLeft } from './budget';
import type { Logger } from '@atrium/platform/logging';
import type { GenerationJob } from './generation-job.entity';
import type { JobStore } from './job-store';

/**
 * The per-user limits checked before a job is queued: jobs active at once, jobs per minute (GCRA), and — when a
 * daily budget is set — a budget already used up. Each refusal is RATE_LIMITED with retryAfterSeconds.
 * Call it under the user's lock, with the insert that follows, so concurrent requests cannot both slip in.
 */
export async function enforceLimits(
  em: EntityManager,
  userId: string,
  deps: { rateLimiter: RateLimiter; settings: GenerationSettings; store: JobStore },
): Promise<void> {
  const { settings } = deps;
  const active = await deps.store.countActive(userId, em);
  if (active >= settings.maxActivePerUser) throw tooManyActive(settings.maxActivePerUser, active);
  await assertBudgetLeft(em, userId, settings.dailyBudgetUsd);
  await consumeJobPerMinute(userId, deps);
}

/**
 * `generate`'s admission: the same limits as `enforceLimits`, and the job stored, in one SQL statement for the
 * jobs-at-once limit and the insert (`insert … select … where active < limit`) instead of a count, then an insert.
 * The per-minute unit is taken first and given back when the statement stores nothing or fails, so a refusal
 * still costs the user nothing. Call it under the user's lock, as `enforceLimits`.
 */
export async function admitNewJob(
  em: () => EntityManager,
  job: GenerationJob,
  deps: { rateLimiter: RateLimiter; settings: GenerationSettings; store: JobStore; log: Logger },
): Promise<void> {
  const { settings } = deps;
  if (settings.dailyBudgetUsd > 0) await assertBudgetLeft(em(), job.ownerId, settings.dailyBudgetUsd);
  await consumeJobPerMinute(job.ownerId, deps);
  let stored = false;
  try {
    stored = await deps.store.insertIfFewerActive(job, settings.maxActivePerUser);
  } finally {
    if (!stored) await refundJobPerMinute(job.ownerId, deps);
  }
  if (!stored) throw tooManyActive(settings.maxActivePerUser);
}

function tooManyActive(max: number, active?: number) {
  return errors.RATE_LIMITED(
    `You have ${active ?? max} generation jobs queued or running; at most ${max} at once`,
    { retryAfterSeconds: 5 },
  );
}

function perMinute(settings: GenerationSettings) {
  return { limit: settings.jobsPerMinute, windowMs: 60_000 };
}

async function consumeJobPerMinute(
  userId: string,
  deps: { rateLimiter: RateLimiter; settings: GenerationSettings },
): Promise<void> {
  const { settings } = deps;
  let result;
  try {
    result = await deps.rateLimiter.consume(`generation:jobs:${userId}`, perMinute(settings));
  } catch (error) {
    // A rule the limiter refuses is a bug, not an outage: it must surface, not read as "retry shortly".
    if (!(error instanceof RateLimiterUnavailableError)) throw error;
    // Fail closed: without its store the limiter cannot protect the providers' spend.
    throw errors.GENERATION_UNAVAILABLE('Generation limits cannot be checked right now; retry shortly');
  }
  if (!result.allowed)
    throw errors.RATE_LIMITED(`At most ${settings.jobsPerMinute} generation jobs per minute`, {
      retryAfterSeconds: Math.max(1, Math.ceil(result.retryAfterMs / 1000)),
    });
}

/** Best effort: a unit the store could not take back only makes this minute one job shorter for the user. */
async function refundJobPerMinute(
  userId: string,
  deps: { rateLimiter: RateLimiter; settings: GenerationSettings; log: Logger },
): Promise<void> {
  await deps.rateLimiter
    .refund(`generation:jobs:${userId}`, perMinute(deps.settings))
    .catch((error: unknown) =>
      deps.log.warn({ err: error, userId }, 'could not give back a per-minute generation unit'),
    );
}

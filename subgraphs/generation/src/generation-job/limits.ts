import type { EntityManager } from '@mikro-orm/core';
import { RateLimiterUnavailableError, type RateLimiter } from '@atrium/platform/rate-limit';
import type { GenerationSettings } from '../config';
import { errors } from '../errors';
import { assertBudgetLeft } from './budget';
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
  if (active >= settings.maxActivePerUser)
    throw errors.RATE_LIMITED(
      `You have ${active} generation jobs queued or running; at most ${settings.maxActivePerUser} at once`,
      { retryAfterSeconds: 5 },
    );
  await assertBudgetLeft(em, userId, settings.dailyBudgetUsd);
  let result;
  try {
    result = await deps.rateLimiter.consume(`generation:jobs:${userId}`, {
      limit: settings.jobsPerMinute,
      windowMs: 60_000,
    });
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

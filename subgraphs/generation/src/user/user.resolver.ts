import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { GenerationContext } from '../context';
import { errors } from '../errors';
import { GenerationJob, GenerationStatus } from '../generation-job/generation-job.entity';
import { listJobs } from '../generation-job/generation-job.queries';
import {
  AFTER,
  GenerationJobConnection,
  PAGE_SIZE,
  STATUS_FILTER,
} from '../generation-job/generation-job.types';
import { User } from './user.type';

@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => GenerationJobConnection, {
    description:
      "The user's jobs, newest first (scope generation:read). The user themself or an ADMIN; anyone else gets FORBIDDEN.",
  })
  generationJobs(
    @Root() user: User,
    @Ctx() ctx: GenerationContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: PAGE_SIZE }) first: number,
    @Arg('after', () => String, { nullable: true, description: AFTER }) after?: string | null,
    @Arg('status', () => GenerationStatus, { nullable: true, description: STATUS_FILTER })
    status?: GenerationStatus | null,
  ): Promise<GenerationJobConnection> {
    const { principal } = ctx;
    if (principal.userId !== user.id && !principal.roles.includes('ADMIN'))
      throw errors.FORBIDDEN("Only the user themself or an ADMIN may list a user's generation jobs");
    return listJobs(ctx.em, user.id, { first, after, status });
  }
}

/** `GenerationJob.owner`: the job's side of the link, here so that generation-job never imports user/. */
@Resolver(() => GenerationJob)
export class GenerationJobOwnerResolver {
  @FieldResolver(() => User, {
    nullable: true,
    description: 'Who asked for it; resolved by identity, null when identity is unreachable.',
  })
  owner(@Root() job: GenerationJob): User {
    return { id: job.ownerId };
  }
}

/** `_entities` for User: generation stores nothing about users, so the key is all there is to resolve. */
export function resolveUserReference(reference: { id: string }): User {
  return { id: reference.id };
}

import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GenerationContext } from '../context';
import { User } from '../user/user.type';
import { GenerationJob, GenerationStatus } from './generation-job.entity';
import { GenerateInput } from './generation-job.input';
import { listJobs } from './generation-job.queries';
import { canSee, notFound } from './generation-job.service';
import { ExportFormat, GenerationJobConnection } from './generation-job.types';

@Resolver(() => GenerationJob)
export class GenerationJobResolver {
  @Query(() => GenerationJob, { nullable: true, description: 'Owner or ADMIN; anyone else gets NOT_FOUND.' })
  async generationJob(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GenerationContext,
  ): Promise<GenerationJob> {
    const job = await ctx.loaders.generationJob.load(id);
    if (!job || !canSee(ctx.principal, job)) throw notFound();
    return job;
  }

  @Query(() => GenerationJobConnection, { description: "The caller's jobs, newest first." })
  generationJobs(
    @Ctx() ctx: GenerationContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('status', () => GenerationStatus, { nullable: true }) status?: GenerationStatus | null,
  ): Promise<GenerationJobConnection> {
    return listJobs(ctx.em, ctx.principal.userId!, { first, after, status });
  }

  @Mutation(() => GenerationJob, {
    description: 'Stores a QUEUED job and returns at once; watch it with generationJobUpdated.',
  })
  generate(
    @Arg('input', () => GenerateInput) input: GenerateInput,
    @Ctx() ctx: GenerationContext,
  ): Promise<GenerationJob> {
    return ctx.app.jobs.generate(ctx.em, ctx.principal, input);
  }

  @Mutation(() => GenerationJob)
  cancelGeneration(@Arg('id', () => ID) id: string, @Ctx() ctx: GenerationContext): Promise<GenerationJob> {
    return ctx.app.jobs.cancel(ctx.principal, id);
  }

  @Mutation(() => GenerationJob)
  retryGeneration(@Arg('id', () => ID) id: string, @Ctx() ctx: GenerationContext): Promise<GenerationJob> {
    return ctx.app.jobs.retry(ctx.em, ctx.principal, id);
  }

  @FieldResolver(() => String)
  async prompt(@Root() job: GenerationJob, @Ctx() ctx: GenerationContext): Promise<string> {
    if (typeof job.prompt === 'string') return job.prompt;
    // Jobs that arrived in an event carry no prompt; it never changes, so the loaded row is as good.
    return (await ctx.loaders.generationJob.load(job.id))?.prompt ?? '';
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: 'Resolved by identity; null when it is unreachable.',
  })
  owner(@Root() job: GenerationJob): User {
    return { id: job.ownerId };
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'A short-lived signed URL; null until SUCCEEDED.',
  })
  exportUrl(
    @Root() job: GenerationJob,
    @Arg('format', () => ExportFormat) format: ExportFormat,
    @Ctx() ctx: GenerationContext,
  ): string | null {
    if (!canSee(ctx.principal, job)) throw notFound();
    return job.status === GenerationStatus.SUCCEEDED ? ctx.app.signer.url(job.id, format) : null;
  }
}

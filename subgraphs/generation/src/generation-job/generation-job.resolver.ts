import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GenerationContext } from '../context';
import { GenerationJob, GenerationStatus } from './generation-job.entity';
import { GenerateInput } from './generation-job.input';
import { listJobs } from './generation-job.queries';
import { canSee, notFound } from './generation-job.service';
import {
  AFTER,
  ExportFormat,
  GenerationJobConnection,
  PAGE_SIZE,
  STATUS_FILTER,
} from './generation-job.types';

@Resolver(() => GenerationJob)
export class GenerationJobResolver {
  @Query(() => GenerationJob, {
    nullable: true,
    description:
      "One job by id (scope generation:read): yours or, for an ADMIN, anyone's. Errors: NOT_FOUND (no such job, or not yours).",
  })
  async generationJob(
    @Arg('id', () => ID, { description: 'The GenerationJob.id.' }) id: string,
    @Ctx() ctx: GenerationContext,
  ): Promise<GenerationJob> {
    const job = await ctx.loaders.generationJob.load(id);
    if (!job || !canSee(ctx.principal, job)) throw notFound();
    return job;
  }

  @Query(() => GenerationJobConnection, {
    description: 'Your jobs, newest first, a page at a time (scope generation:read).',
  })
  generationJobs(
    @Ctx() ctx: GenerationContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: PAGE_SIZE }) first: number,
    @Arg('after', () => String, { nullable: true, description: AFTER }) after?: string | null,
    @Arg('status', () => GenerationStatus, { nullable: true, description: STATUS_FILTER })
    status?: GenerationStatus | null,
  ): Promise<GenerationJobConnection> {
    return listJobs(ctx.em, ctx.principal.userId!, { first, after, status });
  }

  @Mutation(() => GenerationJob, {
    description:
      "Stores a QUEUED job and returns at once; watch it with generationJobUpdated. MEMBER or ADMIN (API keys: generation:write). Errors: BAD_USER_INPUT (`extensions.field` names the field), CONFLICT (idempotencyKey already used for another request), RATE_LIMITED (too many active jobs, jobs per minute or today's budget; `extensions.retryAfterSeconds`), GENERATION_UNAVAILABLE (the queue or limiter is unreachable: retry shortly).",
  })
  generate(
    @Arg('input', () => GenerateInput, { description: 'What to generate.' }) input: GenerateInput,
    @Ctx() ctx: GenerationContext,
  ): Promise<GenerationJob> {
    return ctx.app.jobs.generate(() => ctx.em, ctx.principal, input, ctx.trace);
  }

  @Mutation(() => GenerationJob, {
    description:
      "Cancels a QUEUED or RUNNING job of yours (an ADMIN: anyone's); a running provider call is aborted within a second, tokens streamed before still count. MEMBER or ADMIN (API keys: generation:write). Errors: NOT_FOUND, CONFLICT (the job already ended).",
  })
  cancelGeneration(
    @Arg('id', () => ID, { description: 'The GenerationJob.id.' }) id: string,
    @Ctx() ctx: GenerationContext,
  ): Promise<GenerationJob> {
    return ctx.app.jobs.cancel(ctx.principal, id);
  }

  @Mutation(() => GenerationJob, {
    description:
      'Queues a FAILED or CANCELLED job of yours again, under the same limits as a new job. MEMBER or ADMIN (API keys: generation:write). Errors: NOT_FOUND, CONFLICT (the job did not fail and was not cancelled), RATE_LIMITED, GENERATION_UNAVAILABLE.',
  })
  retryGeneration(
    @Arg('id', () => ID, { description: 'The GenerationJob.id.' }) id: string,
    @Ctx() ctx: GenerationContext,
  ): Promise<GenerationJob> {
    return ctx.app.jobs.retry(ctx.em, ctx.principal, id, ctx.trace);
  }

  @FieldResolver(() => String, { description: 'The prompt as given (1 to 20000 characters).' })
  async prompt(@Root() job: GenerationJob, @Ctx() ctx: GenerationContext): Promise<string> {
    if (typeof job.prompt === 'string') return job.prompt;
    // Jobs that arrived in an event carry no prompt; it never changes, so the loaded row is as good.
    return (await ctx.loaders.generationJob.load(job.id))?.prompt ?? '';
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'A signed download link (GET, served by the gateway) for this job in `format`; anyone holding it can download until it expires (5 minutes by default), so treat it like the document. Null until SUCCEEDED.',
  })
  exportUrl(
    @Root() job: GenerationJob,
    @Arg('format', () => ExportFormat, { description: 'Markdown or PDF.' }) format: ExportFormat,
    @Ctx() ctx: GenerationContext,
  ): string | null {
    if (!canSee(ctx.principal, job)) throw notFound();
    return job.status === GenerationStatus.SUCCEEDED ? ctx.app.signer.url(job.id, format) : null;
  }
}

import { Arg, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { GenerationContext } from '../context';
import { GenerationEvent } from '../generation-job/generation-job.types';
import { fromView, type JobEventPayload } from '../generation-job/job-events';
import { assertGenerationReader } from '../permissions';
import { watchJob, watchUser } from './watch';

function toEvent(payload: JobEventPayload): GenerationEvent {
  return {
    sequence: payload.sequence,
    type: payload.type,
    delta: payload.delta,
    message: payload.message,
    outputReset: payload.outputReset,
    job: fromView(payload.job),
  };
}

@Resolver(() => GenerationEvent)
export class GenerationEventResolver {
  @Subscription(() => GenerationEvent, {
    description:
      "One job as it runs (scope generation:read): a SNAPSHOT first, then every change in sequence order; completes after the final STATUS. Yours or, for an ADMIN, anyone's; otherwise NOT_FOUND before any event.",
    subscribe: ({ args, context }) => {
      const ctx = context as GenerationContext;
      assertGenerationReader(ctx.principal);
      return watchJob(
        { events: ctx.app.resources.infra.events, store: ctx.app.store },
        ctx.principal,
        String(args.id),
      );
    },
  })
  generationJobUpdated(
    @Root() payload: JobEventPayload,
    @Arg('id', () => ID, { description: 'The GenerationJob.id.' }) _id: string,
  ): GenerationEvent {
    return toEvent(payload);
  }

  @Subscription(() => GenerationEvent, {
    description:
      'Every event of all your jobs (scope generation:read): first a SNAPSHOT of each job still QUEUED or RUNNING, then events as they happen. It never completes.',
    subscribe: ({ context }) => {
      const ctx = context as GenerationContext;
      assertGenerationReader(ctx.principal);
      return watchUser({ events: ctx.app.resources.infra.events, fork: ctx.app.fork }, ctx.principal);
    },
  })
  myGenerationEvents(@Root() payload: JobEventPayload, @Ctx() _ctx: GenerationContext): GenerationEvent {
    return toEvent(payload);
  }
}

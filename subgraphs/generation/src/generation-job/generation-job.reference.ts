import type { GenerationContext } from '../context';
import type { GenerationJob } from './generation-job.entity';
import { canSee } from './generation-job.service';

/** `_entities` for GenerationJob: the owner or an ADMIN; anyone else gets null, as for an unknown id. */
export async function resolveGenerationJobReference(
  reference: { id: string },
  ctx: GenerationContext,
): Promise<GenerationJob | null> {
  const job = await ctx.loaders.generationJob.load(reference.id);
  return job && canSee(ctx.principal, job) ? job : null;
}

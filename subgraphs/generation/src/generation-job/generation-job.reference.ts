import type { GenerationContext } from '../context';
import type { GenerationJob } from './generation-job.entity';

/** `_entities` for GenerationJob: the owner or an ADMIN; anyone else gets null, as for an unknown id. */
export async function resolveGenerationJobReference(
  reference: { id: string },
  ctx: GenerationContext,
): Promise<GenerationJob | null> {
  const job = await ctx.loaders.generationJob.load(reference.id);
  if (!job) return null;
  const { principal } = ctx;
  return principal.userId === job.ownerId || principal.roles.includes('ADMIN') ? job : null;
}

import type { RuntimeContextInput } from '@atrium/platform/server';
import type { GenerationCore } from './core';
import { createGenerationJobLoader } from './generation-job/generation-job.loader';

export interface GenerationContext extends RuntimeContextInput {
  loaders: { generationJob: ReturnType<typeof createGenerationJobLoader> };
  core: GenerationCore;
}

export function buildContext(input: RuntimeContextInput, core: GenerationCore): GenerationContext {
  return { ...input, loaders: { generationJob: createGenerationJobLoader(input.em) }, core };
}

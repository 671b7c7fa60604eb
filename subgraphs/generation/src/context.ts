import type { RuntimeContextInput } from '@atrium/platform/server';
import { createGenerationJobLoader } from './generation-job/generation-job.loader';
import type { RegisteredProvider } from './model-router/provider-registry';

export interface GenerationContext extends RuntimeContextInput {
  loaders: { generationJob: ReturnType<typeof createGenerationJobLoader> };
  providers: readonly RegisteredProvider[];
}

export function buildContext(
  input: RuntimeContextInput,
  providers: readonly RegisteredProvider[],
): GenerationContext {
  return { ...input, loaders: { generationJob: createGenerationJobLoader(input.em) }, providers };
}

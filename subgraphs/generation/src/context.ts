import type { EntityManager } from '@mikro-orm/core';
import type { BaseContext } from '@atrium/platform/server';
import type { GenerationApp } from './app';
import { createGenerationJobLoader } from './generation-job/generation-job.loader';

/** One operation's context: the caller, its own entity manager and loaders, and the process-wide app. */
export interface GenerationContext extends BaseContext {
  em: EntityManager;
  app: GenerationApp;
  loaders: { generationJob: ReturnType<typeof createGenerationJobLoader> };
}

export function buildContext(base: BaseContext, app: GenerationApp): GenerationContext {
  // Forked on first use: `generate`, the hot mutation, usually needs none, and a fork costs ≈0.2 ms of CPU.
  let em: EntityManager | undefined;
  let loaders: GenerationContext['loaders'] | undefined;
  return {
    ...base,
    app,
    get em() {
      return (em ??= app.fork());
    },
    get loaders() {
      return (loaders ??= { generationJob: createGenerationJobLoader(this.em) });
    },
  };
}

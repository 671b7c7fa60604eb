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

/**
 * The entity manager and loaders are made on first use (`generate`, the hot mutation, usually needs none, and a
 * fork costs ≈0.2 ms of CPU). They are getters on the prototype, not own properties: Apollo copies a context's own
 * properties for each operation, which would run them.
 */
class OperationContext {
  private forked: EntityManager | undefined;
  private made: GenerationContext['loaders'] | undefined;

  constructor(readonly app: GenerationApp) {}

  get em(): EntityManager {
    return (this.forked ??= this.app.fork());
  }

  get loaders(): GenerationContext['loaders'] {
    return (this.made ??= { generationJob: createGenerationJobLoader(this.em) });
  }
}

export function buildContext(base: BaseContext, app: GenerationApp): GenerationContext {
  return Object.assign(new OperationContext(app), base);
}

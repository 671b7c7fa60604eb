import type { Logger } from '@atrium/platform/logging';
import { startSubgraph, type SubgraphDefinition, type SubgraphServer } from '@atrium/platform/server';
import type { GenerationApp } from '../app';
import type { GenerationConfig } from '../config';
import { generationSubgraph } from '../server';

export const WORKER_NAME = 'generation-worker';

/**
 * A worker serves GET /healthz, /readyz and /metrics (no GraphQL: it takes jobs, not requests); its stop hands
 * running jobs back to the queue (bounded) before every connection closes.
 */
export type GenerationWorker = SubgraphServer<GenerationApp>;

/**
 * A generation worker process: the same app, database and Redis prefix as the API process, without GraphQL,
 * taking jobs from the shared BullMQ queue. Start as many as needed; each takes `GENERATION_WORKER_CONCURRENCY`
 * jobs at once.
 */
export const generationWorker: SubgraphDefinition<GenerationConfig, GenerationApp> = {
  ...generationSubgraph,
  service: WORKER_NAME,
  graphql: undefined,
  started: async (worker) => {
    worker.app.describeHealth(worker);
    await worker.app.startWorker();
  },
};

/** Starts a worker. It needs Redis: without it the queue lives inside the API process, which runs jobs itself. */
export function createGenerationWorker(deps: {
  config: GenerationConfig;
  log: Logger;
}): Promise<GenerationWorker> {
  if (!deps.config.redisUrl)
    return Promise.reject(
      new Error('The generation worker needs REDIS_URL: without Redis the API process runs jobs itself'),
    );
  return startSubgraph(generationWorker, deps);
}

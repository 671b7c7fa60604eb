import type { HealthRegistry } from '@atrium/platform/health';
import type { Logger } from '@atrium/platform/logging';
import {
  buildOn,
  createHttpShell,
  openSubgraphResources,
  packageVersion,
  type Listening,
} from '@atrium/platform/server';
import { createGenerationApp, type GenerationApp } from '../app';
import type { GenerationConfig } from '../config';
import { entities, migrations } from '../database';

export const WORKER_NAME = 'generation-worker';

export interface GenerationWorker {
  app: GenerationApp;
  health: HealthRegistry;
  /** Serves GET /healthz, /readyz and /metrics (no GraphQL: a worker takes jobs, not requests). */
  listen(port: number, host?: string): Promise<Listening>;
  /** Readiness false, running jobs handed back to the queue (bounded), then every connection closed. */
  stop(): Promise<void>;
}

/**
 * A generation worker process: the same app as the API process, taking jobs from the shared BullMQ queue, on
 * the platform HTTP shell for its health and metrics. Start as many as needed; each takes
 * `GENERATION_WORKER_CONCURRENCY` jobs at once. It needs Redis: without it the queue lives inside the API
 * process, which then runs jobs itself.
 */
export async function createGenerationWorker(deps: {
  config: GenerationConfig;
  log: Logger;
}): Promise<GenerationWorker> {
  const { config, log } = deps;
  if (!config.redisUrl)
    throw new Error('The generation worker needs REDIS_URL: without Redis the API process runs jobs itself');
  const resources = await openSubgraphResources('generation', config, log, { entities, migrations });
  return buildOn(resources, async () => {
    const app = createGenerationApp(resources, config, log);
    const shell = createHttpShell({
      name: WORKER_NAME,
      version: packageVersion(`${__dirname}/..`),
      log,
      checks: resources.checks,
      timeouts: config.timeouts,
    });
    shell.onRelease(() => resources.close());
    shell.onRelease(() => app.close());
    app.describeHealth(shell);
    try {
      await app.startWorker();
    } catch (error) {
      await app.close();
      throw error;
    }
    return {
      app,
      health: shell.health,
      listen: (port, host) => shell.listen(port, host),
      stop: () => shell.stop(),
    };
  });
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { openDatabase } from '@atrium/platform/database';
import { HealthRegistry } from '@atrium/platform/health';
import { createInfrastructure } from '@atrium/platform/infrastructure';
import type { Logger } from '@atrium/platform/logging';
import { createMetrics } from '@atrium/platform/metrics';
import { applyServerTimeouts, notFound, packageVersion } from '@atrium/platform/server';
import type { GenerationConfig } from './config';
import { GenerationCore } from './core';
import { entities, migrations } from './database';

export interface GenerationWorker {
  core: GenerationCore;
  health: HealthRegistry;
  /** Serves GET /healthz, /readyz and /metrics (no GraphQL: a worker takes jobs, not requests). */
  listen(port: number, host?: string): Promise<{ url: string; port: number }>;
  /** Readiness false, running jobs handed back to the queue (bounded), then every connection closed. */
  stop(): Promise<void>;
}

/**
 * A generation worker process: the same job runner as the API's embedded worker, on the shared BullMQ queue.
 * Start as many as needed; each takes `GENERATION_WORKER_CONCURRENCY` jobs at once. It needs Redis: without it
 * the queue lives inside the API process, which then runs jobs itself.
 */
export async function createGenerationWorker(deps: {
  config: GenerationConfig;
  log: Logger;
}): Promise<GenerationWorker> {
  const { config, log } = deps;
  if (!config.redisUrl)
    throw new Error('The generation worker needs REDIS_URL: without Redis the API process runs jobs itself');
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    dbName: 'generation',
    entities,
    migrations,
    log,
  });
  const infra = createInfrastructure({
    redisUrl: config.redisUrl,
    keyPrefix: `${config.redisKeyPrefix}generation:`,
    log,
  });
  const core = new GenerationCore({
    settings: config.generation,
    internalSecret: config.internalSecret,
    db,
    infra,
    log,
  });
  const health = new HealthRegistry({ service: 'generation-worker', version: packageVersion(__dirname) });
  health.register({ name: 'database', kind: 'database', check: () => db.check() });
  for (const check of infra.healthChecks) health.register(check);
  const metrics = createMetrics({ service: 'generation-worker' });
  const app = express();
  app.disable('x-powered-by');
  app.use(metrics.httpMiddleware());
  app.use(health.routes());
  app.get('/metrics', metrics.handler());
  app.use(notFound);
  const httpServer = createServer(app);
  applyServerTimeouts(httpServer);
  try {
    await core.startWorker();
  } catch (error) {
    await infra.close();
    await db.close();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    core,
    health,
    listen: (port, host = '0.0.0.0') =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const actual = (httpServer.address() as AddressInfo).port;
          resolve({ url: `http://127.0.0.1:${actual}`, port: actual });
        });
      }),
    stop: () =>
      (stopping ??= (async () => {
        health.startShutdown();
        await core.stop();
        if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        await infra.close();
        await db.close();
      })()),
  };
}

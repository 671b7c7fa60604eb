import type { Tracer } from '@atrium/platform/tracing';
import type { EntityManager } from '@mikro-orm/core';
import type { HealthRegistry } from '@atrium/platform/health';
import type { Logger } from '@atrium/platform/logging';
import type { Metrics } from '@atrium/platform/metrics';
import type { JobWorker } from '@atrium/platform/queue';
import { PolicyRegistry } from '@atrium/platform/resilience';
import type { SubgraphResources } from '@atrium/platform/server';
import type { GenerationConfig } from './config';
import { JobEventPublisher } from './generation-job/job-events';
import { ExportSigner } from './export/signing';
import { ACTIVE_STATUSES, GenerationJob } from './generation-job/generation-job.entity';
import { GenerationService } from './generation-job/generation-job.service';
import { JobStore } from './generation-job/job-store';
import { CircuitBoard } from './model-router/circuit-board';
import { PriceTable } from './model-router/pricing';
import { registerProviders, type RegisteredProvider } from './model-router/provider-registry';
import { ownKeyProvidersFor } from './model-router/own-key-providers';
import { ModelRouter } from './model-router/router';
import { GENERATION_QUEUE, type QueuedGeneration } from './generation-job/job-queue';
import { JobRunner } from './worker/job-runner';
import { JobMetrics } from './metrics/job-metrics';
import { ResponseCache } from './worker/response-cache';
import { RunningJobs } from './worker/run-signals';
import { StalledSweeper } from './worker/stalled-sweep';

/**
 * Everything generation is made of, built once per process from the opened resources: the API process uses
 * the job service and the signer, a worker process the runner, the embedded default both. Resolvers reach it
 * as `ctx.app`. No I/O until `startWorker`.
 */
export interface GenerationApp {
  readonly resources: SubgraphResources;
  readonly fork: () => EntityManager;
  readonly store: JobStore;
  readonly publisher: JobEventPublisher;
  readonly providers: RegisteredProvider[];
  readonly board: CircuitBoard;
  readonly router: ModelRouter;
  /** The use cases of the API: generate, cancel, retry. */
  readonly jobs: GenerationService;
  readonly signer: ExportSigner;
  readonly runner: JobRunner;
  readonly running: RunningJobs;
  /**
   * Starts taking jobs: the cancellation listener first (so no cancel of a job this worker takes is missed),
   * then the queue worker. In the embedded mode the in-process queue starts empty, so jobs a previous run left
   * QUEUED or RUNNING are queued again.
   */
  startWorker(): Promise<void>;
  /**
   * Shows this process's breakers (one per model provider) and the generation queue in its `/status`, and its
   * job metrics in its `/metrics`.
   */
  describeHealth(shell: { health: HealthRegistry; metrics: Metrics; tracer?: Tracer }): void;
  /** Stops the worker (running jobs go back to the queue), the listener and every circuit. Idempotent. */
  close(): Promise<void>;
}

export function createGenerationApp(
  resources: SubgraphResources,
  config: Pick<GenerationConfig, 'generation' | 'internalSecret'>,
  log: Logger,
): GenerationApp {
  const { infra, db } = resources;
  const settings = config.generation;
  const fork = () => db.fork();
  const policies = new PolicyRegistry();
  const store = new JobStore(fork);
  const publisher = new JobEventPublisher(infra.events, log);
  const providers = registerProviders(settings, policies);
  const board = new CircuitBoard(infra.cache, providers, settings.breaker.openStateDelayMs);
  const metrics = new JobMetrics();
  const router = new ModelRouter(providers, settings.routes, board, metrics);
  const queue = infra.queue<QueuedGeneration>(GENERATION_QUEUE);
  const running = new RunningJobs();
  const jobs = new GenerationService({
    store,
    queue,
    publisher,
    rateLimiter: infra.rateLimiter,
    lock: infra.lock,
    settings,
    providerIds: providers.map((p) => p.id),
    log,
  });
  const runner = new JobRunner({
    metrics,
    store,
    publisher,
    running,
    fork,
    router,
    answers: new ResponseCache(infra.cache, settings.cacheTtlSeconds),
    prices: new PriceTable(settings.prices, settings.fallbackPrice),
    lock: infra.lock,
    settings,
    log,
    ownKeys: ownKeyProvidersFor({ settings, internalSecret: config.internalSecret, policies, log }),
  });

  const sweeper = new StalledSweeper({
    store,
    lock: infra.lock,
    publisher,
    metrics,
    log,
    attempts: settings.jobAttempts,
    // One queue job id per lapsed run (`<job>.<run>.<attempt>`), unlike the first delivery's `<job>.<run>`.
    requeue: async (job) => {
      await queue.add(
        'generate',
        { jobId: job.id },
        { jobId: `${job.id}.${job.runs}.${job.attempts}`, attempts: settings.jobAttempts, backoffMs: 1000 },
      );
    },
    intervalMs: settings.sweepIntervalMs,
  });

  let worker: JobWorker | undefined;
  let stopListening: (() => Promise<void>) | undefined;
  let closing: Promise<void> | undefined;

  const requeueOrphans = async () => {
    const orphans = await fork().find(GenerationJob, { status: { $in: [...ACTIVE_STATUSES] } });
    for (const job of orphans) {
      await queue.add(
        'generate',
        { jobId: job.id },
        { jobId: `${job.id}.${job.runs}`, attempts: settings.jobAttempts },
      );
    }
    if (orphans.length > 0) log.info({ count: orphans.length }, 'queued jobs left by a previous run again');
  };

  return {
    resources,
    fork,
    store,
    publisher,
    providers,
    board,
    router,
    jobs,
    signer: new ExportSigner(config.internalSecret, settings.exportBaseUrl, settings.exportTtlSeconds),
    runner,
    running,
    describeHealth: ({ health, metrics: shellMetrics, tracer }) => {
      metrics.bind(shellMetrics);
      runner.bindTracer(tracer);
      health.registerBreakers(() => policies.list());
      health.registerQueue(GENERATION_QUEUE, () => queue.counts());
    },
    startWorker: async () => {
      stopListening = await running.listen(infra.events);
      worker = infra.worker<QueuedGeneration>(GENERATION_QUEUE, runner.handle, {
        concurrency: settings.workerConcurrency,
        lockDurationMs: settings.workerLockMs,
        closeTimeoutMs: 10_000,
      });
      if (infra.mode === 'memory') await requeueOrphans();
      sweeper.start();
    },
    close: () =>
      (closing ??= (async () => {
        await sweeper.stop();
        await worker?.close();
        await stopListening?.();
        board.dispose();
        policies.dispose();
      })()),
  };
}

import type { EntityManager } from '@mikro-orm/core';
import type { Database } from '@atrium/platform/database';
import type { Infrastructure } from '@atrium/platform/infrastructure';
import type { Logger } from '@atrium/platform/logging';
import type { JobWorker } from '@atrium/platform/queue';
import { PolicyRegistry } from '@atrium/platform/resilience';
import type { GenerationSettings } from './config';
import { JobEventPublisher } from './events/job-events';
import { ExportSigner } from './export/signing';
import { ACTIVE_STATUSES, GenerationJob } from './generation-job/generation-job.entity';
import { GenerationService } from './generation-job/generation-job.service';
import { JobStore } from './generation-job/job-store';
import { CircuitBoard } from './model-router/circuit-board';
import { PriceTable } from './model-router/pricing';
import { registerProviders, type RegisteredProvider } from './model-router/provider-registry';
import { ModelRouter } from './model-router/router';
import { GENERATION_QUEUE, JobRunner, type QueuedGeneration } from './worker/job-runner';
import { ResponseCache } from './worker/response-cache';
import { RunningJobs } from './worker/run-signals';

export interface GenerationCoreOptions {
  settings: GenerationSettings;
  /** INTERNAL_TOKEN_SECRET: export links are signed with a key derived from it. */
  internalSecret: string;
  db: Pick<Database, 'fork'>;
  infra: Infrastructure;
  log: Logger;
}

/**
 * Everything generation is made of, wired once per process: the API process uses the service and the signer,
 * a worker process the runner, the embedded default both. No I/O until `startWorker`.
 */
export class GenerationCore {
  readonly fork: () => EntityManager;
  readonly store: JobStore;
  readonly publisher: JobEventPublisher;
  readonly providers: RegisteredProvider[];
  readonly board: CircuitBoard;
  readonly router: ModelRouter;
  readonly service: GenerationService;
  readonly signer: ExportSigner;
  readonly runner: JobRunner;
  readonly running = new RunningJobs();
  private readonly policies = new PolicyRegistry();
  private worker: JobWorker | undefined;
  private stopListening: (() => Promise<void>) | undefined;
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: GenerationCoreOptions) {
    const { settings, infra, log } = options;
    this.fork = () => options.db.fork();
    this.store = new JobStore(this.fork);
    this.publisher = new JobEventPublisher(infra.events, log);
    this.providers = registerProviders(settings, this.policies);
    this.board = new CircuitBoard(infra.cache, this.providers, settings.breaker.openStateDelayMs);
    this.router = new ModelRouter(this.providers, settings.routes, this.board);
    this.signer = new ExportSigner(options.internalSecret, settings.exportBaseUrl, settings.exportTtlSeconds);
    const queue = infra.queue<QueuedGeneration>(GENERATION_QUEUE);
    this.service = new GenerationService({
      store: this.store,
      queue,
      publisher: this.publisher,
      rateLimiter: infra.rateLimiter,
      lock: infra.lock,
      settings,
      providerIds: this.providers.map((p) => p.id),
      log,
    });
    this.runner = new JobRunner({
      store: this.store,
      publisher: this.publisher,
      running: this.running,
      fork: this.fork,
      router: this.router,
      answers: new ResponseCache(infra.cache, settings.cacheTtlSeconds),
      prices: new PriceTable(settings.prices, settings.fallbackPrice),
      lock: infra.lock,
      settings,
      log,
    });
  }

  /**
   * Starts taking jobs: the cancellation listener first (so no cancel of a job this worker takes is missed),
   * then the queue worker. In the embedded mode the in-process queue starts empty, so jobs a previous run left
   * QUEUED or RUNNING are queued again.
   */
  async startWorker(): Promise<void> {
    const { infra, settings } = this.options;
    this.stopListening = await this.running.listen(infra.events);
    this.worker = infra.worker<QueuedGeneration>(GENERATION_QUEUE, this.runner.handle, {
      concurrency: settings.workerConcurrency,
      lockDurationMs: settings.workerLockMs,
      closeTimeoutMs: 10_000,
    });
    if (infra.mode === 'memory') await this.requeueOrphans();
  }

  /** Stops the worker (running jobs go back to the queue), the listener and every circuit. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await this.worker?.close();
      await this.stopListening?.();
      this.board.dispose();
      this.policies.dispose();
    })();
    return this.stopped;
  }

  private async requeueOrphans(): Promise<void> {
    const orphans = await this.fork().find(GenerationJob, { status: { $in: [...ACTIVE_STATUSES] } });
    const queue = this.options.infra.queue<QueuedGeneration>(GENERATION_QUEUE);
    for (const job of orphans) {
      await queue.add(
        'generate',
        { jobId: job.id },
        { jobId: `${job.id}.${job.runs}`, attempts: this.options.settings.jobAttempts },
      );
    }
    if (orphans.length > 0)
      this.options.log.info({ count: orphans.length }, 'queued jobs left by a previous run again');
  }
}

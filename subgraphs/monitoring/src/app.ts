import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from '@atrium/platform/logging';
import { PolicyRegistry } from '@atrium/platform/resilience';
import type { SubgraphResources } from '@atrium/platform/server';
import { AlertService, type AlertView } from './alert/alert.service';
import { WEBHOOK_QUEUE, WebhookSender } from './alert/webhook-sender';
import type { MonitoringConfig } from './config';
import { StatusPoller } from './poller/poller';
import { StatusService } from './status/status.service';
import { StatusStore } from './status/status-store';

/** The monitoring subgraph's services, built once per process from its opened resources. */
export interface MonitoringApp {
  readonly resources: SubgraphResources;
  readonly config: MonitoringConfig;
  /** A fresh entity manager (one per operation, in the context). */
  fork(): EntityManager;
  status: StatusService;
  alerts: AlertService;
  poller: StatusPoller;
  webhooks: WebhookSender | undefined;
  /** Breakers of this process's own outbound calls (the alert webhook), shown in its `/status`. */
  policies: PolicyRegistry;
  /** Starts webhook delivery and, unless `poll` is false, polling on the interval. */
  start(options?: { poll?: boolean }): void;
  /** Stops polling and delivery; waits for a running poll. */
  close(): Promise<void>;
}

export function createMonitoringApp(
  resources: SubgraphResources,
  config: MonitoringConfig,
  log: Logger,
): MonitoringApp {
  const { infra } = resources;
  const fork = () => resources.db.fork();
  const policies = new PolicyRegistry();
  const webhooks = config.webhook
    ? new WebhookSender({
        settings: config.webhook,
        queue: infra.queue<AlertView>(WEBHOOK_QUEUE),
        startWorker: (name, handler, options) => infra.worker(name, handler, options),
        policy: policies.get({
          name: 'alert-webhook',
          timeoutMs: 5000,
          breaker: {
            slidingWindowSize: 10,
            minimumNumberOfCalls: 5,
            failureRateThreshold: 50,
            openStateDelayMs: 30_000,
            permittedNumberOfCallsInHalfOpenState: 1,
          },
        }),
        log,
      })
    : undefined;
  const alerts = new AlertService({
    fork,
    events: infra.events,
    notify: (alert) => webhooks?.enqueue(alert) ?? Promise.resolve(),
    log,
  });
  const store = new StatusStore({
    cache: infra.cache,
    events: infra.events,
    keepMs: Math.max(config.pollIntervalMs * 10, 60_000),
  });
  const poller = new StatusPoller({
    targets: config.targets,
    probeTimeoutMs: config.probeTimeoutMs,
    intervalMs: config.pollIntervalMs,
    rules: config.rules,
    lock: infra.lock,
    cache: infra.cache,
    store,
    alerts,
    log,
  });
  const status = new StatusService({ store, pollNow: () => poller.poll() });
  return {
    resources,
    config,
    fork,
    status,
    alerts,
    poller,
    webhooks,
    policies,
    start({ poll = true } = {}) {
      webhooks?.start();
      if (poll) poller.start();
    },
    async close() {
      await poller.stop();
      await webhooks?.stop();
      policies.dispose();
    },
  };
}

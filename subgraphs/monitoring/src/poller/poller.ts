import type { Cache } from '@atrium/platform/cache';
import type { Lock } from '@atrium/platform/lock';
import type { Logger } from '@atrium/platform/logging';
import type { AlertService } from '../alert/alert.service';
import { EMPTY_MEMORY, evaluate, type AlertRulesConfig, type RulesMemory } from '../alert/rules';
import { probeService, type ProbeTarget } from '../status/probe';
import { buildSnapshot, type StatusSnapshot } from '../status/snapshot';
import type { StatusStore } from '../status/status-store';

const LEADER_KEY = 'monitoring:poller';
const MEMORY_KEY = 'monitoring:rules:memory';

export interface PollerDeps {
  targets: readonly ProbeTarget[];
  /** Longest a single target may take; the others are not held up by it. */
  probeTimeoutMs: number;
  intervalMs: number;
  rules: AlertRulesConfig;
  /** Elects one poller among replicas (Redis in production), so alerts are not raised twice. */
  lock: Lock;
  /** Keeps the rules' memory where the next poller (maybe another replica) finds it. */
  cache: Cache;
  store: StatusStore;
  alerts: AlertService;
  log: Logger;
  now?: () => number;
}

/**
 * Polls every target's `/status` on an interval, in parallel and each bounded by the probe timeout, stores the
 * snapshot (published when it changed) and runs the alert rules on it. Across replicas one poll per interval
 * happens: each tick takes a lease on the platform Lock for one interval, and only its holder polls.
 */
export class StatusPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly deps: PollerDeps) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops ticking and waits for a running poll. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Polls now (when this replica holds the lease) and returns the snapshot, or null when another replica polls. */
  async tick(): Promise<StatusSnapshot | null> {
    const lease = await this.deps.lock.acquire(LEADER_KEY, this.deps.intervalMs);
    if (!lease) return null;
    // The lease is not released: it expires with the interval, so no other replica polls in between.
    return this.poll();
  }

  /** One poll regardless of the lease (the first answer of a replica that has no snapshot yet uses it too). */
  async poll(): Promise<StatusSnapshot> {
    const services = await Promise.all(
      this.deps.targets.map((target) => probeService(target, this.deps.probeTimeoutMs)),
    );
    const snapshot = buildSnapshot(services, new Date(this.now()));
    await this.deps.store.save(snapshot);
    await this.runRules(snapshot);
    return snapshot;
  }

  private async runRules(snapshot: StatusSnapshot): Promise<void> {
    const memory = (await this.deps.cache.get<RulesMemory>(MEMORY_KEY)) ?? EMPTY_MEMORY;
    const result = evaluate(snapshot, this.deps.rules, memory, this.now());
    const keepMs = Math.max(this.deps.rules.windowSeconds * 1000, this.deps.intervalMs) * 2;
    await this.deps.cache.set(MEMORY_KEY, result.memory, keepMs);
    await this.deps.alerts.reconcile(result.firing);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error: unknown) => this.deps.log.error({ err: error }, 'status poll failed'))
        .finally(() => this.schedule(this.deps.intervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}

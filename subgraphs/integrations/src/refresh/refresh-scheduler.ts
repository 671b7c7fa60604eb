import type { Logger } from '@atrium/platform/logging';
import type { OAuthFlow } from '../oauth/oauth-flow';
import type { RefreshOutcome, RefreshService } from './refresh.service';

const BATCH = 100;

/**
 * Refreshes tokens ahead of expiry: every `intervalSeconds`, each due connection is refreshed under its lock (a
 * connection another replica is refreshing is skipped). Rounds never overlap; stop() waits for the running one.
 */
export class RefreshScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly deps: { refresh: RefreshService; flow: OAuthFlow; log: Logger; intervalSeconds: number },
  ) {}

  start(): void {
    if (this.deps.intervalSeconds <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.runOnce()
          .catch((error: unknown) => this.deps.log.warn({ err: error }, 'refresh round failed'))
          .finally(() => (this.running = undefined));
      }
    }, this.deps.intervalSeconds * 1000);
    this.timer.unref();
  }

  /** One round: every due connection once. Returns what happened to each (tests and logs read it). */
  async runOnce(): Promise<Record<string, RefreshOutcome>> {
    const outcomes: Record<string, RefreshOutcome> = {};
    for (const id of await this.deps.refresh.due(BATCH)) {
      outcomes[id] = await this.deps.refresh.refresh(id, { force: false }).catch((error: unknown) => {
        this.deps.log.warn({ connectionId: id, reason: (error as Error).message }, 'refresh failed');
        return 'failed' as const;
      });
    }
    await this.deps.flow.purgeExpired();
    if (Object.keys(outcomes).length > 0) this.deps.log.info({ outcomes }, 'refresh round');
    return outcomes;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

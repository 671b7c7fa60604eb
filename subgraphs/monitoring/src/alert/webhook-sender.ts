import type { JobQueue, JobWorker, QueueJob, StartWorker } from '@atrium/platform/queue';
import type { Logger } from '@atrium/platform/logging';
import type { Policy } from '@atrium/platform/resilience';
import type { AlertView } from './alert.service';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './webhook-signature';

export const WEBHOOK_QUEUE = 'alert-webhooks';

export interface WebhookSettings {
  url: string;
  /** HMAC key shared with the receiver; never in a job payload or a log line. */
  secret: string;
  /** Deliveries in all before one is given up (logged). */
  attempts: number;
  backoffMs: number;
}

/** The receiver refused the delivery (HTTP 4xx): retrying would not change its mind. */
class RejectedDelivery extends Error {
  constructor(readonly status: number) {
    super(`alert webhook receiver answered HTTP ${status}`);
    this.name = 'RejectedDelivery';
  }
}

/**
 * Sends every alert transition to the configured webhook, signed (see webhook-signature.ts). Transitions go
 * through the job queue, so the poller never waits for a receiver, and a failed delivery is retried with
 * backoff; each attempt runs under the `alert-webhook` resilience policy (timeout that aborts, breaker).
 */
export class WebhookSender {
  private worker: JobWorker | undefined;

  constructor(
    private readonly deps: {
      settings: WebhookSettings;
      queue: JobQueue<AlertView>;
      startWorker: StartWorker;
      policy: Policy;
      log: Logger;
    },
  ) {}

  /** Queues one delivery per alert and state; queuing the same transition twice sends it once. */
  async enqueue(alert: AlertView): Promise<void> {
    const { attempts, backoffMs } = this.deps.settings;
    await this.deps.queue.add('deliver', alert, {
      jobId: `${alert.id}-${alert.state}`,
      attempts,
      backoffMs,
    });
  }

  start(): void {
    this.worker ??= this.deps.startWorker<AlertView>(WEBHOOK_QUEUE, (job) => this.deliver(job), {
      concurrency: 2,
    });
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
  }

  private async deliver(job: QueueJob<AlertView>): Promise<void> {
    const { url, secret, attempts } = this.deps.settings;
    const body = JSON.stringify({ alert: job.data });
    try {
      await this.deps.policy.execute(
        async (signal) => {
          const timestamp = Math.floor(Date.now() / 1000);
          const response = await fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              [TIMESTAMP_HEADER]: String(timestamp),
              [SIGNATURE_HEADER]: signWebhook(secret, body, timestamp),
            },
            body,
            signal: AbortSignal.any([signal, job.signal]),
          });
          await response.arrayBuffer();
          if (response.status >= 400 && response.status < 500) throw new RejectedDelivery(response.status);
          if (!response.ok) throw new Error(`alert webhook receiver answered HTTP ${response.status}`);
        },
        { retry: false },
      );
    } catch (error) {
      const context = { alertId: job.data.id, state: job.data.state, attempt: job.attempt };
      if (error instanceof RejectedDelivery) {
        this.deps.log.error({ ...context, status: error.status }, 'alert webhook rejected; not retried');
        return;
      }
      const last = job.attempt >= attempts;
      this.deps.log.warn(
        { ...context, err: error instanceof Error ? error.message : String(error) },
        last ? 'alert webhook failed; giving up' : 'alert webhook failed; will retry',
      );
      throw error;
    }
  }
}

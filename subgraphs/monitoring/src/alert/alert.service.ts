import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { EventBus, EventIterator } from '@atrium/platform/events';
import type { Logger } from '@atrium/platform/logging';
import { monitoringErrors } from '../errors';
import { Alert, AlertState } from './alert.entity';
import type { AlertCondition } from './rules';

export const ALERTS_TOPIC = 'monitoring:alerts';
export const MAX_ALERTS_PAGE = 200;

/** An alert as JSON, as `alertsChanged` subscribers and webhook receivers get it. */
export interface AlertView {
  id: string;
  rule: string;
  severity: string;
  state: string;
  summary: string;
  service: string | null;
  startedAt: string;
  resolvedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

export interface AlertServiceDeps {
  /** A fresh entity manager per use case. */
  fork: () => EntityManager;
  events: EventBus;
  /** Called with every transition (FIRING, RESOLVED); must not block (the webhook sender queues). */
  notify: (alert: AlertView) => Promise<void>;
  log: Logger;
  now?: () => Date;
}

/**
 * The alert lifecycle: a condition that fires opens one FIRING alert (never a second one while it fires, even
 * with two pollers racing: `firing_key` is unique); one that stops firing resolves it. Every transition is
 * published for `alertsChanged` and handed to the webhook sender.
 */
export class AlertService {
  constructor(private readonly deps: AlertServiceDeps) {}

  /** Makes the stored alerts match the conditions firing now. Returns the transitions it made. */
  async reconcile(firing: readonly AlertCondition[]): Promise<AlertView[]> {
    const em = this.deps.fork();
    const now = this.now();
    const open = await em.find(Alert, { state: AlertState.FIRING });
    const openKeys = new Set(open.map((alert) => alert.condition));
    const firingKeys = new Set(firing.map((condition) => condition.key));
    const changed: Alert[] = [];
    for (const alert of open.filter((a) => !firingKeys.has(a.condition))) {
      alert.state = AlertState.RESOLVED;
      alert.resolvedAt = now;
      alert.firingKey = null;
      changed.push(alert);
    }
    await em.flush();
    for (const condition of firing.filter((c) => !openKeys.has(c.key))) {
      const opened = await this.open(condition, now);
      if (opened) changed.push(opened);
    }
    const views = changed.map(toView);
    for (const view of views) await this.announce(view);
    return views;
  }

  /** Newest first, at most `first` (1–200). */
  async list(state: AlertState | undefined, first: number): Promise<Alert[]> {
    if (!Number.isInteger(first) || first < 1)
      throw monitoringErrors.BAD_USER_INPUT('first must be a positive integer', { field: 'first' });
    return this.deps.fork().find(Alert, state ? { state } : {}, {
      orderBy: { startedAt: 'desc', id: 'asc' },
      limit: Math.min(first, MAX_ALERTS_PAGE),
    });
  }

  /** Records who acknowledged the alert (the first acknowledgement is kept) and announces it. */
  async acknowledge(id: string, userId: string | null): Promise<Alert> {
    const em = this.deps.fork();
    const alert = await em.findOne(Alert, { id });
    if (!alert) throw monitoringErrors.NOT_FOUND('Alert not found', { id });
    if (!alert.acknowledgedAt) {
      alert.acknowledgedAt = this.now();
      alert.acknowledgedBy = userId;
      await em.flush();
      await this.deps.events
        .publish(ALERTS_TOPIC, toView(alert))
        .catch((error: unknown) => this.deps.log.warn({ err: error }, 'alert change not published'));
    }
    return alert;
  }

  changes(): EventIterator<AlertView> {
    return this.deps.events.iterate<AlertView>(ALERTS_TOPIC);
  }

  private async open(condition: AlertCondition, now: Date): Promise<Alert | null> {
    const em = this.deps.fork();
    const alert = em.create(Alert, {
      rule: condition.rule,
      severity: condition.severity,
      state: AlertState.FIRING,
      summary: condition.summary,
      service: condition.service,
      condition: condition.key,
      firingKey: condition.key,
      startedAt: now,
    });
    try {
      await em.flush();
      return alert;
    } catch (error) {
      // Another poller opened it first: that one is the alert, and it announced it.
      if (error instanceof UniqueConstraintViolationException) return null;
      throw error;
    }
  }

  private async announce(view: AlertView): Promise<void> {
    this.deps.log.warn({ alert: view }, `alert ${view.state}: ${view.summary}`);
    await this.deps.events
      .publish(ALERTS_TOPIC, view)
      .catch((error: unknown) => this.deps.log.warn({ err: error }, 'alert change not published'));
    await this.deps
      .notify(view)
      .catch((error: unknown) =>
        this.deps.log.error({ err: error, alertId: view.id }, 'alert webhook not queued'),
      );
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

export function toView(alert: Alert): AlertView {
  return {
    id: alert.id,
    rule: alert.rule,
    severity: alert.severity,
    state: alert.state,
    summary: alert.summary,
    service: alert.service,
    startedAt: alert.startedAt.toISOString(),
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    acknowledgedAt: alert.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: alert.acknowledgedBy,
  };
}

/** A published view back into the GraphQL object. */
export function fromView(view: AlertView): Alert {
  return Object.assign(new Alert(), {
    ...view,
    startedAt: new Date(view.startedAt),
    resolvedAt: view.resolvedAt ? new Date(view.resolvedAt) : null,
    acknowledgedAt: view.acknowledgedAt ? new Date(view.acknowledgedAt) : null,
  });
}

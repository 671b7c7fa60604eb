import type { AuditType } from './audit.service';

/**
 * How many audit events of each type this process recorded since it started: monitoring turns the counts of
 * `signin.failed` and `refresh_token.reused` (read from `/status`) into alerts, Prometheus the metric.
 */
export class AuditCounts {
  private readonly counts = new Map<AuditType, number>();
  private readonly listeners: Array<(type: AuditType) => void> = [];

  record(type: AuditType): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
    for (const listener of this.listeners) listener(type);
  }

  count(type: AuditType): number {
    return this.counts.get(type) ?? 0;
  }

  onRecord(listener: (type: AuditType) => void): void {
    this.listeners.push(listener);
  }
}

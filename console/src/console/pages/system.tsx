import { useEffect, useState } from 'react';
import { errorMessage } from '../api/errors';
import {
  ALERT_FIELDS,
  appendHistory,
  historyPoint,
  STATUS_FIELDS,
  type Alert,
  type HistoryPoint,
  type SystemStatus,
} from '../api/system';
import { HistoryChart } from '../components/chart';
import { DataTable, type Column } from '../components/data-table';
import { StatusBadge } from '../components/status';
import { useServices } from '../context';

/**
 * For ADMIN: the whole system, live. `systemStatusChanged` sends the current status first and then every change;
 * `alertsChanged` every alert that fires or resolves. Nothing here polls.
 */
export function SystemPage() {
  const { request, live } = useServices();
  const [status, setStatus] = useState<SystemStatus | undefined>();
  const [history, setHistory] = useState<HistoryPoint[]>([]);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    const onStatus = (next: SystemStatus) => {
      setStatus(next);
      setHistory((current) => appendHistory(current, historyPoint(next)));
    };
    const onAlert = (alert: Alert) =>
      setAlerts((current) => [alert, ...current.filter((existing) => existing.id !== alert.id)]);
    let active = true;
    request<{ alerts: Alert[] }>(`query Alerts { alerts(first: 50) { ${ALERT_FIELDS} } }`).then(
      (data) => active && setAlerts((current) => merge(current, data.alerts)),
      (caught: unknown) => active && setError(errorMessage(caught)),
    );
    const stops = [
      live.watch<{ systemStatusChanged: SystemStatus }>(
        `subscription Status { systemStatusChanged { ${STATUS_FIELDS} } }`,
        undefined,
        {
          next: (data) => onStatus(data.systemStatusChanged),
          error: (caught) => setError(`Live status stopped: ${errorMessage(caught)}`),
        },
      ),
      live.watch<{ alertsChanged: Alert }>(
        `subscription Alerts { alertsChanged { ${ALERT_FIELDS} } }`,
        undefined,
        {
          next: (data) => onAlert(data.alertsChanged),
          error: (caught) => setError(`Live alerts stopped: ${errorMessage(caught)}`),
        },
      ),
    ];
    return () => {
      active = false;
      for (const stop of stops) stop();
    };
  }, [request, live]);

  const acknowledge = async (id: string) => {
    try {
      const { acknowledgeAlert } = await request<{ acknowledgeAlert: Alert }>(
        `mutation Ack($id: ID!) { acknowledgeAlert(id: $id) { ${ALERT_FIELDS} } }`,
        { id },
      );
      setAlerts((current) =>
        current.map((alert) => (alert.id === id ? { ...alert, ...acknowledgeAlert } : alert)),
      );
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  const firing = alerts.filter((alert) => alert.state === 'FIRING');
  const resolved = alerts.filter((alert) => alert.state === 'RESOLVED').slice(0, 10);
  return (
    <>
      <section aria-labelledby="system-title" className="card">
        <h1 id="system-title">
          System{' '}
          {status && (
            <span data-testid="overall-status">
              <StatusBadge status={status.status} />
            </span>
          )}
        </h1>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {!status ? (
          <p>Connecting…</p>
        ) : (
          <>
            <p className="hint">Checked {new Date(status.checkedAt).toLocaleTimeString()} · updates live</p>
            <ul className="tiles" aria-label="Services">
              {status.services.map((service) => (
                <li
                  key={service.name}
                  className={`tile tile-${service.status.toLowerCase()}`}
                  data-service={service.name}
                >
                  <h2>{service.name}</h2>
                  <StatusBadge status={service.status} />
                  <p className="hint">
                    {service.version === 'unknown' ? 'version unknown' : `v${service.version}`} · up{' '}
                    {formatDuration(service.uptimeSeconds)}
                  </p>
                  <ul className="deps" aria-label={`${service.name} dependencies`}>
                    {service.dependencies.map((dependency) => (
                      <li key={dependency.name}>
                        {dependency.name} <StatusBadge status={dependency.status} />
                        {typeof dependency.latencyMs === 'number' && (
                          <span className="hint"> {dependency.latencyMs.toFixed(0)} ms</span>
                        )}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section aria-labelledby="alerts-title" className="card">
        <h2 id="alerts-title">Firing alerts ({firing.length})</h2>
        {firing.length === 0 ? (
          <p>No alert is firing.</p>
        ) : (
          <ul className="alerts" data-testid="firing-alerts">
            {firing.map((alert) => (
              <li
                key={alert.id}
                className={`alert alert-${alert.severity.toLowerCase()}`}
                data-alert-rule={alert.rule}
              >
                <StatusBadge status={alert.severity} /> <strong>{alert.summary}</strong>
                <span className="hint">
                  {' '}
                  {alert.rule}
                  {alert.service ? ` · ${alert.service}` : ''} · since{' '}
                  {new Date(alert.startedAt).toLocaleTimeString()}
                </span>{' '}
                <button type="button" onClick={() => void acknowledge(alert.id)}>
                  Acknowledge
                </button>
              </li>
            ))}
          </ul>
        )}
        {resolved.length > 0 && (
          <>
            <h3>Recently resolved</h3>
            <ul className="alerts" data-testid="resolved-alerts">
              {resolved.map((alert) => (
                <li key={alert.id} data-alert-rule={alert.rule}>
                  <StatusBadge status="RESOLVED" /> {alert.summary}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      {status && (
        <section aria-labelledby="history-title" className="card">
          <h2 id="history-title">Recent history</h2>
          <div className="charts">
            <HistoryChart title="Queue depth" unit="jobs" points={history} value={(p) => p.queueDepth} />
            <HistoryChart
              title="p95 probe latency"
              unit="ms"
              points={history}
              value={(p) => p.p95LatencyMs}
            />
          </div>
          <h3>Circuit breakers</h3>
          <DataTable
            columns={BREAKER_COLUMNS}
            rows={status.circuitBreakers}
            rowKey={(breaker) => `${breaker.service}/${breaker.name}`}
          />
          <h3>Queues</h3>
          <DataTable columns={QUEUE_COLUMNS} rows={status.queues} rowKey={(queue) => queue.name} />
        </section>
      )}
    </>
  );
}

type Breaker = SystemStatus['circuitBreakers'][number];
type Queue = SystemStatus['queues'][number];

const BREAKER_COLUMNS: Column<Breaker>[] = [
  { header: 'Service', cell: (breaker) => breaker.service },
  { header: 'Breaker', cell: (breaker) => breaker.name },
  { header: 'State', cell: (breaker) => <StatusBadge status={breaker.state} /> },
  {
    header: 'Failure rate',
    cell: (breaker) => (typeof breaker.failureRate === 'number' ? `${breaker.failureRate.toFixed(0)}%` : '—'),
  },
];

const QUEUE_COLUMNS: Column<Queue>[] = [
  { header: 'Queue', cell: (queue) => queue.name },
  { header: 'Waiting', cell: (queue) => queue.waiting },
  { header: 'Active', cell: (queue) => queue.active },
  { header: 'Delayed', cell: (queue) => queue.delayed },
  { header: 'Failed', cell: (queue) => queue.failed },
  { header: 'Completed', cell: (queue) => queue.completed },
];

function merge(current: Alert[], loaded: Alert[]): Alert[] {
  const known = new Set(current.map((alert) => alert.id));
  return [...current, ...loaded.filter((alert) => !known.has(alert.id))];
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

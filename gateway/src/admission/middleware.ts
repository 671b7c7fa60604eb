import type { RequestHandler } from 'express';
import type { Metrics } from '@atrium/platform/metrics';
import { errorBody } from '@atrium/platform/server';
import type { AdmissionSettings } from './config';
import { AdmissionController, type Admission } from './controller';
import { eventLoopDelayMonitor, type EventLoopDelayMonitor } from './event-loop';
import './errors';

export interface GatewayAdmission {
  /** Express middleware: mount it in front of the GraphQL route only (health and metrics are never shed). */
  middleware: RequestHandler;
  controller: AdmissionController;
  stop(): void;
}

/**
 * Admission control of GraphQL requests with its metrics: `gateway_admission_in_flight`,
 * `gateway_admission_queued`, `gateway_admission_limit` (the adaptive concurrency limit) and
 * `gateway_admission_rejected_total{reason}`. A refused request gets 503 with
 * `Retry-After` and the code OVERLOADED before its body is even read. `maxConcurrent` 0 admits everything.
 */
export function createAdmission(settings: AdmissionSettings, metrics: Metrics): GatewayAdmission {
  const inFlight = metrics.gauge('gateway_admission_in_flight', 'GraphQL requests being worked on', []);
  const queued = metrics.gauge('gateway_admission_queued', 'GraphQL requests waiting for admission', []);
  const limit = metrics.gauge(
    'gateway_admission_limit',
    'GraphQL requests the gateway works on at once at most, as adapted to ADMISSION_LATENCY_TARGET_MS',
    [],
  );
  const rejected = metrics.counter(
    'gateway_admission_rejected_total',
    'GraphQL requests refused with 503 OVERLOADED, by reason',
    ['reason'],
  );
  const monitor: EventLoopDelayMonitor | undefined =
    settings.maxConcurrent > 0 && settings.maxEventLoopDelayMs > 0 ? eventLoopDelayMonitor() : undefined;
  const controller = new AdmissionController({
    ...settings,
    eventLoopDelayMs: monitor?.currentMs,
    onChange: (state) => {
      inFlight.set(state.inFlight);
      queued.set(state.queued);
    },
    onReject: (reason) => rejected.inc({ reason }),
    onLimit: (value) => limit.set(value),
  });
  limit.set(settings.maxConcurrent);
  const retryAfter = String(settings.retryAfterSeconds);
  const body = (requestId: unknown) =>
    errorBody('The gateway is at capacity; retry shortly', 'OVERLOADED', {
      retryAfterSeconds: settings.retryAfterSeconds,
      requestId,
    });

  const middleware: RequestHandler = (_req, res, next) => {
    const decide = (admission: Admission) => {
      if (admission.admitted) {
        if (res.writableEnded || res.destroyed) return admission.release();
        res.once('close', admission.release);
        return next();
      }
      if (res.headersSent || res.destroyed) return;
      res
        .status(503)
        .set('retry-after', retryAfter)
        .type('application/json')
        .send(body(res.locals.requestId));
    };
    const immediate = controller.tryAdmit();
    if (immediate) return decide(immediate);
    const gone = new AbortController();
    const onClose = () => gone.abort();
    res.once('close', onClose);
    void controller.wait(gone.signal).then((admission) => {
      res.off('close', onClose);
      decide(admission);
    });
  };

  return {
    middleware: settings.maxConcurrent > 0 ? middleware : (_req, _res, next) => next(),
    controller,
    stop: () => monitor?.stop(),
  };
}

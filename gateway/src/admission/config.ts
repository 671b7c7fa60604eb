import { env } from '@atrium/platform/config';

/** Admission control of GraphQL requests (docs/gateway.md, "Overload"). */
export const admissionSpec = {
  /** GraphQL requests the gateway works on at once; more wait in the queue. 0 turns admission control off. */
  ADMISSION_MAX_CONCURRENT: env.int({ default: 64, min: 0, max: 100_000 }),
  /** Requests that may wait for a slot; beyond it they are refused at once with 503 OVERLOADED. */
  ADMISSION_MAX_QUEUE: env.int({ default: 256, min: 0, max: 1_000_000 }),
  /**
   * A request that waited this long for a slot is refused (503) instead of queueing into a timeout. Short: a wait
   * is added to the request's own latency, and what cannot start soon is better told at once to come back.
   */
  ADMISSION_QUEUE_TIMEOUT_MS: env.int({ default: 100, min: 1, max: 60_000 }),
  /**
   * Median time an admitted request should take. While requests wait for slots and the median of the last 64
   * exceeds it and has risen (1.5 times its recent level, or 4 times this target), the concurrency limit shrinks
   * (×0.8, down to ADMISSION_MIN_CONCURRENT): beyond capacity more concurrency only makes every request slower.
   * While they wait and the median is within it, the limit grows back (+10 %, up to ADMISSION_MAX_CONCURRENT). A
   * limit nobody waits on, or whose median stays at its level, is left alone. 0: a fixed limit of
   * ADMISSION_MAX_CONCURRENT.
   */
  ADMISSION_LATENCY_TARGET_MS: env.int({ default: 100, min: 0, max: 60_000 }),
  /** The floor of the adaptive concurrency limit. */
  ADMISSION_MIN_CONCURRENT: env.int({ default: 8, min: 1, max: 100_000 }),
  /** New requests are refused while the event loop lags more than this (p99 over the last 250 ms). 0: off. */
  ADMISSION_MAX_EVENT_LOOP_DELAY_MS: env.int({ default: 200, min: 0, max: 60_000 }),
  /** `Retry-After` of a refused request, seconds. */
  ADMISSION_RETRY_AFTER_SECONDS: env.int({ default: 1, min: 1, max: 3600 }),
};

export interface AdmissionSettings {
  maxConcurrent: number;
  minConcurrent: number;
  latencyTargetMs: number;
  maxQueue: number;
  queueTimeoutMs: number;
  maxEventLoopDelayMs: number;
  retryAfterSeconds: number;
}

export function admissionConfig(raw: {
  ADMISSION_MAX_CONCURRENT: number;
  ADMISSION_MAX_QUEUE: number;
  ADMISSION_QUEUE_TIMEOUT_MS: number;
  ADMISSION_LATENCY_TARGET_MS: number;
  ADMISSION_MIN_CONCURRENT: number;
  ADMISSION_MAX_EVENT_LOOP_DELAY_MS: number;
  ADMISSION_RETRY_AFTER_SECONDS: number;
}): { admission: AdmissionSettings } {
  return {
    admission: {
      maxConcurrent: raw.ADMISSION_MAX_CONCURRENT,
      minConcurrent: Math.min(raw.ADMISSION_MIN_CONCURRENT, raw.ADMISSION_MAX_CONCURRENT),
      latencyTargetMs: raw.ADMISSION_LATENCY_TARGET_MS,
      maxQueue: raw.ADMISSION_MAX_QUEUE,
      queueTimeoutMs: raw.ADMISSION_QUEUE_TIMEOUT_MS,
      maxEventLoopDelayMs: raw.ADMISSION_MAX_EVENT_LOOP_DELAY_MS,
      retryAfterSeconds: raw.ADMISSION_RETRY_AFTER_SECONDS,
    },
  };
}

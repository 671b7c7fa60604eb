import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface EventLoopDelayMonitor {
  /** p99 of the event loop's delay over the last completed window, ms. */
  currentMs(): number;
  stop(): void;
}

/**
 * Samples the event loop's delay (every 10 ms) and keeps the p99 of the last `windowMs`: a loop that is already
 * late for its timers will be later still for a new request, so admission refuses instead of adding to it.
 */
export function eventLoopDelayMonitor(windowMs = 250): EventLoopDelayMonitor {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let current = 0;
  const timer = setInterval(() => {
    // Delays beyond the 10 ms resolution; the histogram is in nanoseconds.
    current = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
    histogram.reset();
  }, windowMs);
  timer.unref();
  return {
    currentMs: () => current,
    stop: () => {
      clearInterval(timer);
      histogram.disable();
    },
  };
}

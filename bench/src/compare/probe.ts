// Preloaded into each benchmarked gateway (`-r`): measures event-loop delay and garbage-collection pauses inside
// the process, the same way for both gateways, and answers the benchmark over the IPC channel. Each `probe`
// message returns what happened since the previous one and starts a new window; `{ profile: 'start' }` and
// `{ profile: 'stop', path }` run the V8 CPU profiler over just the measured phase (no start-up in it). tail.ts
// attributes the slowest requests' time (GC, loop stalls, subgraph calls).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { startTailRecorder, type TailWindow } from './tail';

export interface ProbeWindow {
  /** Event-loop delay percentiles over the window, ms (sampled every 10 ms). */
  loopDelay: { p50: number; p99: number; max: number };
  gc: { count: number; totalMs: number; maxMs: number };
  /** Process CPU (user + system) over the window, ms. */
  cpuMs: number;
  /** What the slowest requests of the window overlapped inside the gateway (tail.ts). */
  tail: TailWindow;
}

// `{ profile: 'start' | 'stop', path }` runs the CPU profiler, `{ heap: … }` the sampling heap profiler (where the
// measured phase allocates, objects the GC collected included); each answers `{ profiled | heaped: action }`.
const PROFILERS = {
  profile: {
    answer: 'profiled',
    enable: 'Profiler.enable',
    start: { method: 'Profiler.start', params: undefined },
    stop: 'Profiler.stop',
  },
  heap: {
    answer: 'heaped',
    enable: 'HeapProfiler.enable',
    start: {
      method: 'HeapProfiler.startSampling',
      params: {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      },
    },
    stop: 'HeapProfiler.stopSampling',
  },
} as const;

function profilerFor(
  message: object,
): { kind: keyof typeof PROFILERS; action: 'start' | 'stop'; path?: string } | undefined {
  const { path } = message as { path?: string };
  for (const kind of ['profile', 'heap'] as const)
    if (kind in message) return { kind, action: (message as Record<string, 'start' | 'stop'>)[kind]!, path };
  return undefined;
}

if (process.send) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let gc = { count: 0, totalMs: 0, maxMs: 0 };
  const tail = startTailRecorder();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      tail.gc(entry.startTime, entry.duration);
      gc.count++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  let cpu = process.cpuUsage();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const inspector = new Session();
  inspector.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      inspector.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  process.on('message', (message: unknown) => {
    const profiler = typeof message === 'object' && message !== null ? profilerFor(message) : undefined;
    if (profiler) {
      const { kind, action, path } = profiler;
      const { answer, enable, start, stop } = PROFILERS[kind];
      const done = () => process.send!({ [answer]: action });
      if (action === 'start')
        void post(enable)
          .then(() => post(start.method, start.params))
          .then(done);
      else
        void post(stop).then((result) => {
          writeFileSync(path!, JSON.stringify((result as { profile: unknown }).profile));
          done();
        });
      return;
    }
    if (message !== 'probe') return;
    const used = process.cpuUsage(cpu);
    const window: ProbeWindow = {
      loopDelay: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      gc: { ...gc, totalMs: Math.round(gc.totalMs * 100) / 100 },
      cpuMs: (used.user + used.system) / 1000,
      tail: tail.take(),
    };
    process.send!({ probe: window });
    delay.reset();
    gc = { count: 0, totalMs: 0, maxMs: 0 };
    cpu = process.cpuUsage();
  });
}

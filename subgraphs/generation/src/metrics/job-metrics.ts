import type { Metrics } from '@atrium/platform/metrics';

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

type Bound = ReturnType<typeof create>;

function create(metrics: Metrics) {
  return {
    jobs: metrics.counter(
      'generation_jobs_total',
      'Generation jobs that reached a terminal state in a worker, by kind and state',
      ['kind', 'status'],
    ),
    swept: metrics.counter(
      'generation_jobs_swept_total',
      'RUNNING jobs whose lease lapsed that the stalled-job sweep took back, by kind and outcome (requeued, failed)',
      ['kind', 'outcome'],
    ),
    queueWait: metrics.histogram(
      'generation_job_queue_wait_seconds',
      'Time from a job being queued to a worker starting its first run, by kind',
      ['kind'],
      SECONDS,
    ),
    runTime: metrics.histogram(
      'generation_job_run_seconds',
      'Time from a job starting to its terminal state, by kind and state',
      ['kind', 'status'],
      SECONDS,
    ),
    providerCalls: metrics.histogram(
      'generation_provider_call_duration_seconds',
      'Model provider calls (retries included), by provider and outcome',
      ['provider', 'outcome'],
      SECONDS,
    ),
    tokens: metrics.counter(
      'generation_tokens_total',
      'Tokens used by successful generations, by provider and type (prompt, completion)',
      ['provider', 'type'],
    ),
    cost: metrics.counter(
      'generation_cost_usd_total',
      'Cost of successful generations in US dollars, by provider',
      ['provider'],
    ),
    cacheLookups: metrics.counter(
      'generation_cache_lookups_total',
      'Response-cache lookups by result (hit, miss)',
      ['result'],
    ),
  };
}

/**
 * Generation's job metrics. The app is built before its process's HTTP shell exists, so they are bound to the
 * shell's registry by `describeHealth`; until then nothing is recorded. Labels come from fixed sets: job kinds,
 * terminal states, configured provider ids.
 */
export class JobMetrics {
  private bound: Bound | undefined;

  bind(metrics: Metrics): void {
    this.bound ??= create(metrics);
  }

  jobEnded(kind: string, status: string, runSeconds: number | null): void {
    this.bound?.jobs.inc({ kind, status });
    if (runSeconds !== null) this.bound?.runTime.observe({ kind, status }, runSeconds);
  }

  jobSwept(kind: string, outcome: 'requeued' | 'failed'): void {
    this.bound?.swept.inc({ kind, outcome });
    if (outcome === 'failed') this.bound?.jobs.inc({ kind, status: 'FAILED' });
  }

  jobStarted(kind: string, waitedSeconds: number): void {
    this.bound?.queueWait.observe({ kind }, waitedSeconds);
  }

  providerCall(provider: string, outcome: 'ok' | 'error' | 'cancelled', seconds: number): void {
    this.bound?.providerCalls.observe({ provider, outcome }, seconds);
  }

  usage(provider: string, promptTokens: number, completionTokens: number, usd: number): void {
    this.bound?.tokens.inc({ provider, type: 'prompt' }, promptTokens);
    this.bound?.tokens.inc({ provider, type: 'completion' }, completionTokens);
    this.bound?.cost.inc({ provider }, usd);
  }

  cacheLookup(hit: boolean): void {
    this.bound?.cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
  }
}

import { ConfigProblem, env, loadConfig, MAX_TIMER_MS, type VarSpec } from '@atrium/platform/config';
import { MAX_RATE_LIMIT_PER_MINUTE } from '@atrium/platform/rate-limit';
import {
  subgraphConfigSpec,
  subgraphRuntimeConfig,
  type SubgraphRuntimeConfig,
} from '@atrium/platform/server';
import {
  decimal,
  optionalPort,
  parseProviders,
  parseRoutes,
  PROVIDERS_ALLOWED,
  type ProviderConfig,
} from './config/providers';
import { GenerationKind } from './generation-job/generation-kind';
import { parsePrices, PRICES_ALLOWED, type ModelPrice } from './model-router/pricing';

export type { ProviderConfig, ProviderKind } from './config/providers';

const KINDS: readonly string[] = Object.values(GenerationKind);

/** An integer variable read leniently (its own spec reports it when invalid), for defaults of other variables. */
function lenientInt(raw: string | undefined, fallback: number): number {
  const value = raw === undefined ? Number.NaN : Number(raw);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

function providersSpec(source: Record<string, string | undefined>): VarSpec<ProviderConfig[]> {
  return {
    description: { allowed: PROVIDERS_ALLOWED, default: 'local' },
    parse: (raw) =>
      parseProviders(raw ?? 'local', source, {
        timeoutMs: lenientInt(source.GENERATION_PROVIDER_TIMEOUT_MS, 120_000),
        attempts: lenientInt(source.GENERATION_PROVIDER_ATTEMPTS, 2),
        maxTokens: lenientInt(source.GENERATION_MAX_TOKENS, 2048),
      }),
  };
}

function routesSpec(source: Record<string, string | undefined>): VarSpec<Record<string, string[]>> {
  return {
    description: { allowed: 'KIND=provider>provider;… (optional; default: every provider in order)' },
    parse(raw) {
      const routes = parseRoutes(raw);
      let providers: ProviderConfig[] | undefined;
      try {
        providers = providersSpec(source).parse(source.GENERATION_PROVIDERS?.trim() || undefined, {
          name: 'GENERATION_PROVIDERS',
          production: false,
        });
      } catch {
        // GENERATION_PROVIDERS reports its own problem; the ids are checked once it is valid.
      }
      return providers ? checkRoutes(routes, providers) : routes;
    },
  };
}

const pricesSpec: VarSpec<Record<string, ModelPrice>> = {
  description: { allowed: PRICES_ALLOWED, default: '(built-in list prices)' },
  parse: (raw) => parsePrices(raw),
};

const specFor = (source: Record<string, string | undefined>) => ({
  ...subgraphConfigSpec('generation', 4003),
  GENERATION_WORKER_PORT: optionalPort(),
  // The integrations subgraph (its GraphQL URL, as the gateway names it): where users' own AI keys come from.
  INTEGRATIONS_URL: env.optionalUrl({ protocols: ['http', 'https'] }),
  GENERATION_PROVIDERS: providersSpec(source),
  GENERATION_ROUTES: routesSpec(source),
  GENERATION_PRICES: pricesSpec,
  GENERATION_PRICE_FALLBACK: env.string({
    default: '5/15',
    pattern: /\d+(\.\d+)?\/\d+(\.\d+)?/,
    allowed: 'prompt/completion USD per million tokens, e.g. 5/15',
  }),
  GENERATION_PROVIDER_TIMEOUT_MS: env.int({ default: 120_000, min: 100, max: MAX_TIMER_MS }),
  GENERATION_PROVIDER_ATTEMPTS: env.int({ default: 2, min: 1, max: 10 }),
  GENERATION_MAX_TOKENS: env.int({ default: 2048, min: 16, max: 200_000 }),
  GENERATION_RETRY_BASE_MS: env.int({ default: 250, min: 0, max: 60_000 }),
  GENERATION_BREAKER_WINDOW: env.int({ default: 20, min: 1, max: 1000 }),
  GENERATION_BREAKER_MIN_CALLS: env.int({ default: 5, min: 1, max: 1000 }),
  GENERATION_BREAKER_FAILURE_RATE: env.int({ default: 50, min: 1, max: 99 }),
  GENERATION_BREAKER_OPEN_MS: env.int({ default: 30_000, min: 0, max: MAX_TIMER_MS }),
  GENERATION_BREAKER_HALF_OPEN_CALLS: env.int({ default: 2, min: 1, max: 100 }),
  GENERATION_MAX_ACTIVE_PER_USER: env.int({ default: 3, min: 1, max: 10_000 }),
  GENERATION_JOBS_PER_MINUTE: env.int({ default: 20, min: 1, max: MAX_RATE_LIMIT_PER_MINUTE }),
  GENERATION_DAILY_BUDGET_USD: decimal(0, 'a decimal number >= 0 (0 turns the budget off)'),
  GENERATION_CACHE_TTL_SECONDS: env.int({ default: 3600, min: 0, max: 30 * 86_400 }),
  GENERATION_WORKER_CONCURRENCY: env.int({ default: 16, min: 1, max: 256 }),
  GENERATION_INLINE_WORKER: env.oneOf(['auto', 'true', 'false'] as const, { default: 'auto' }),
  GENERATION_JOB_ATTEMPTS: env.int({ default: 3, min: 1, max: 20 }),
  GENERATION_WORKER_LOCK_MS: env.int({ default: 30_000, min: 1000, max: MAX_TIMER_MS }),
  GENERATION_JOB_LEASE_MS: env.int({ default: 30_000, min: 1000, max: MAX_TIMER_MS }),
  GENERATION_SWEEP_INTERVAL_MS: env.int({ default: 60_000, min: 1000, max: 3_600_000 }),
  GENERATION_DELTA_INTERVAL_MS: env.int({ default: 50, min: 0, max: 5000 }),
  GENERATION_LOCAL_CHUNK_DELAY_MS: env.int({ default: 15, min: 0, max: 5000 }),
  GENERATION_EXPORT_BASE_URL: env.url({ default: 'http://127.0.0.1:4000', protocols: ['http', 'https'] }),
  GENERATION_EXPORT_TTL_SECONDS: env.int({ default: 300, min: 10, max: 86_400 }),
});

/** The variables as documented: per-provider variables (`<ID>_API_KEY`…) depend on GENERATION_PROVIDERS. */
export const generationConfigSpec = specFor({});

/** What the generation subgraph and its worker read besides the common subgraph variables. */
export interface GenerationSettings {
  /** Providers in configured order (the default fallback chain). */
  providers: ProviderConfig[];
  /** Per kind, the ordered provider ids to try; kinds not listed use `providers` in order. */
  routes: Record<string, string[]>;
  prices: Record<string, ModelPrice>;
  /** Price of a model missing from `prices`. */
  fallbackPrice: ModelPrice;
  retryBaseDelayMs: number;
  breaker: {
    slidingWindowSize: number;
    minimumNumberOfCalls: number;
    failureRateThreshold: number;
    openStateDelayMs: number;
    permittedNumberOfCallsInHalfOpenState: number;
  };
  /** Jobs QUEUED or RUNNING at once per user; one more is RATE_LIMITED. */
  maxActivePerUser: number;
  jobsPerMinute: number;
  /** Per-user spend per UTC day in USD; 0 = no budget. */
  dailyBudgetUsd: number;
  /** 0 disables the response cache. */
  cacheTtlSeconds: number;
  workerConcurrency: number;
  /** Whether the API process runs a worker itself: always in the embedded mode (no REDIS_URL) unless false. */
  inlineWorker: boolean;
  /** Queue deliveries per job (crash recovery); provider retries are separate. */
  jobAttempts: number;
  /** BullMQ lock: a dead worker's job is taken again after about two of these. */
  workerLockMs: number;
  /**
   * How long a running job stays its worker's without a renewal; the worker renews it every third of this while
   * its process lives, so it does not limit a job's length. A job whose lease lapsed (its worker died) is queued
   * again by the sweep while it has attempts left, else failed with JOB_STALLED.
   */
  jobLeaseMs: number;
  /** How often a worker looks for stalled jobs; one worker at a time (a platform Lock). */
  sweepIntervalMs: number;
  deltaIntervalMs: number;
  localChunkDelayMs: number;
  /** Where the gateway serves /exports (the public origin clients reach). */
  exportBaseUrl: string;
  exportTtlSeconds: number;
  /** Origin of the integrations subgraph; unset: users' own keys are not used (jobs run on the deployment's). */
  integrationsOrigin: string | undefined;
}

export interface GenerationConfig extends SubgraphRuntimeConfig {
  /** Port of the worker process's health and metrics routes; default: the GENERATION_PORT. */
  workerPort: number;
  generation: GenerationSettings;
}

/** Reads and validates every generation variable; throws one ConfigError listing all problems. */
export function loadGenerationConfig(source: Record<string, string | undefined>): GenerationConfig {
  const raw = loadConfig(specFor(source), source);
  const base = subgraphRuntimeConfig('generation', raw);
  const providers = raw.GENERATION_PROVIDERS;
  const routes = raw.GENERATION_ROUTES;
  const prices = raw.GENERATION_PRICES;
  const [prompt, completion] = raw.GENERATION_PRICE_FALLBACK.split('/').map(Number);
  const generation: GenerationSettings = {
    providers,
    routes,
    prices,
    fallbackPrice: { prompt: prompt!, completion: completion! },
    retryBaseDelayMs: raw.GENERATION_RETRY_BASE_MS,
    breaker: {
      slidingWindowSize: raw.GENERATION_BREAKER_WINDOW,
      minimumNumberOfCalls: raw.GENERATION_BREAKER_MIN_CALLS,
      failureRateThreshold: raw.GENERATION_BREAKER_FAILURE_RATE,
      openStateDelayMs: raw.GENERATION_BREAKER_OPEN_MS,
      permittedNumberOfCallsInHalfOpenState: raw.GENERATION_BREAKER_HALF_OPEN_CALLS,
    },
    maxActivePerUser: raw.GENERATION_MAX_ACTIVE_PER_USER,
    jobsPerMinute: raw.GENERATION_JOBS_PER_MINUTE,
    dailyBudgetUsd: raw.GENERATION_DAILY_BUDGET_USD,
    cacheTtlSeconds: raw.GENERATION_CACHE_TTL_SECONDS,
    workerConcurrency: raw.GENERATION_WORKER_CONCURRENCY,
    inlineWorker:
      raw.GENERATION_INLINE_WORKER === 'auto' ? !base.redisUrl : raw.GENERATION_INLINE_WORKER === 'true',
    jobAttempts: raw.GENERATION_JOB_ATTEMPTS,
    workerLockMs: raw.GENERATION_WORKER_LOCK_MS,
    jobLeaseMs: raw.GENERATION_JOB_LEASE_MS,
    sweepIntervalMs: raw.GENERATION_SWEEP_INTERVAL_MS,
    deltaIntervalMs: raw.GENERATION_DELTA_INTERVAL_MS,
    localChunkDelayMs: raw.GENERATION_LOCAL_CHUNK_DELAY_MS,
    exportBaseUrl: raw.GENERATION_EXPORT_BASE_URL.replace(/\/+$/, ''),
    exportTtlSeconds: raw.GENERATION_EXPORT_TTL_SECONDS,
    integrationsOrigin: raw.INTEGRATIONS_URL ? new URL(raw.INTEGRATIONS_URL).origin : undefined,
  };
  return Object.freeze({ ...base, workerPort: raw.GENERATION_WORKER_PORT ?? base.port, generation });
}

function checkRoutes(
  routes: Record<string, string[]>,
  providers: ProviderConfig[],
): Record<string, string[]> {
  const ids = new Set(providers.map((p) => p.id));
  for (const [kind, chain] of Object.entries(routes)) {
    if (!KINDS.includes(kind))
      throw new ConfigProblem(`names unknown kind ${kind}; kinds: ${KINDS.join(', ')}`);
    const unknown = chain.find((id) => !ids.has(id));
    if (unknown)
      throw new ConfigProblem(`${kind} names provider "${unknown}", which GENERATION_PROVIDERS lacks`);
  }
  return routes;
}

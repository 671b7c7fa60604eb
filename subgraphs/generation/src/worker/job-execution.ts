import type { EntityManager } from '@mikro-orm/core';
import type { Lock } from '@atrium/platform/lock';
import type { GenerationSettings } from '../config';
import type { JobMetrics } from '../metrics/job-metrics';
import {
  GenerationStatus,
  ProviderKeyOwner,
  type GenerationJob,
} from '../generation-job/generation-job.entity';
import type { OwnKeyProviders } from '../model-router/own-key-providers';
import type { BattlecardFields } from '../generation-job/validation';
import type { PriceTable } from '../model-router/pricing';
import { templateFor, type TemplateInput } from '../prompts';
import { estimateTokens } from '../model-router/providers/types';
import { OwnKeyRejectedError, type ModelRouter, type RouteSink } from '../model-router/router';
import { micros, reserveBudget } from '../generation-job/budget';
import type { JobWriter } from './job-writer';
import type { ResponseCache } from './response-cache';

export interface ExecutionDeps {
  /** Job metrics (tokens, cost, cache); absent in tests that do not read them. */
  metrics?: JobMetrics;
  fork: () => EntityManager;
  router: ModelRouter;
  answers: ResponseCache;
  prices: PriceTable;
  lock: Lock;
  settings: GenerationSettings;
  /** Users' own AI keys from integrations; absent when the deployment does not reach integrations. */
  ownKeys?: OwnKeyProviders;
}

/** Tokens and cost of attempts whose output was thrown away (a stream that broke, a cancel): spent all the same. */
export interface Spend {
  promptTokens: number;
  completionTokens: number;
  micros: number;
}

export function templateInputOf(job: GenerationJob): TemplateInput {
  const battlecard = job.inputs ? (JSON.parse(job.inputs) as BattlecardFields) : null;
  return { title: job.title, prompt: job.prompt, battlecard };
}

/**
 * One run's work after the claim: the response cache, the budget reservation, the routed provider call, and
 * the success write. Failures propagate to the runner, which decides what they mean for the job.
 */
export class JobExecution {
  /** What abandoned attempts of this run cost; the runner adds it to whatever ends the job. */
  readonly wasted: Spend = { promptTokens: 0, completionTokens: 0, micros: 0 };
  private current: { model: string } | null = null;
  private readonly input: TemplateInput;
  private readonly promptEstimate: number;

  constructor(
    private readonly job: GenerationJob,
    private readonly writer: JobWriter,
    private readonly deps: ExecutionDeps,
  ) {
    this.input = templateInputOf(job);
    const template = templateFor(job.kind);
    this.promptEstimate = estimateTokens(template.system + template.user(this.input));
  }

  async run(signal: AbortSignal): Promise<void> {
    const { router, answers } = this.deps;
    // Fetched for this run only: the key lives in this closure and the provider client, never in a store.
    const own = (await this.deps.ownKeys?.forUser(this.job.ownerId)) ?? [];
    const chain = [...own, ...router.chainFor(this.job.kind, this.job.providerPreference)];
    const cacheKey = answers.keyFor(this.job, chain.map((p) => (p.ownKey ? `own:${p.id}` : p.id)).join('>'));
    const hit = await answers.get(cacheKey);
    this.deps.metrics?.cacheLookup(hit !== undefined && hit !== null);
    if (hit) {
      this.writer.delta(hit.output);
      await this.writer.finish(
        this.successChanges(
          { provider: hit.provider, model: hit.model, promptTokens: 0, completionTokens: 0 },
          true,
        ),
        'Served from the response cache',
      );
      return;
    }
    // A user's own key is billed to them by the provider, not to the deployment's budget.
    if (this.deps.settings.dailyBudgetUsd > 0 && own.length === 0) await this.reserve(chain);
    const result = await router
      .run(
        {
          kind: this.job.kind,
          input: this.input,
          preference: this.job.providerPreference,
          ownProviders: own,
        },
        signal,
        this.sink(),
      )
      .catch(async (error: unknown) => {
        if (error instanceof OwnKeyRejectedError)
          await this.deps.ownKeys?.rejected(this.job.ownerId, error.provider);
        throw error;
      });
    const changes = this.successChanges({
      provider: result.provider.id,
      model: result.model,
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
      keyOwner: result.provider.ownKey ? ProviderKeyOwner.USER : ProviderKeyOwner.DEPLOYMENT,
    });
    await this.writer.finish(changes);
    this.deps.metrics?.usage(
      result.provider.id,
      changes.promptTokens,
      changes.completionTokens,
      changes.costMicros / 1e6,
    );
    await answers.set(cacheKey, {
      output: this.job.output ?? '',
      provider: result.provider.id,
      model: result.model,
    });
  }

  /** Counts the output of the attempt in progress as spent (the run is ending without using it). */
  abandonCurrentAttempt(): void {
    if (!this.current || this.writer.outputLength === 0) return;
    const completion = Math.ceil(this.writer.outputLength / 4);
    this.wasted.promptTokens += this.promptEstimate;
    this.wasted.completionTokens += completion;
    this.wasted.micros += micros(this.deps.prices.cost(this.current.model, this.promptEstimate, completion));
    this.current = null;
  }

  private sink(): RouteSink {
    const writer = this.writer;
    return {
      attemptStarting: async (provider, model, attempt) => {
        if (writer.outputLength > 0) {
          this.abandonCurrentAttempt();
          await writer.reset(
            `The output restarts: the previous attempt failed; now ${provider.id} (${model})`,
          );
        }
        this.current = { model };
        const again = attempt > 1 ? `, attempt ${attempt}` : '';
        // Stored with the first output (or the end) rather than before the call: one write fewer per run.
        writer.stage(`Generating with ${provider.id} (${model})${again}`, { provider: provider.id, model });
      },
      delta: (text) => writer.delta(text),
      expect: (total) => writer.expect(total),
      note: (message) => writer.note(message),
    };
  }

  private successChanges(
    usage: {
      provider: string;
      model: string;
      promptTokens: number;
      completionTokens: number;
      keyOwner?: ProviderKeyOwner;
    },
    cached = false,
  ) {
    const promptTokens = usage.promptTokens + this.wasted.promptTokens;
    const completionTokens = usage.completionTokens + this.wasted.completionTokens;
    const cost = cached
      ? 0
      : micros(this.deps.prices.cost(usage.model, usage.promptTokens, usage.completionTokens));
    return {
      status: GenerationStatus.SUCCEEDED,
      progressBp: 10_000,
      provider: usage.provider,
      model: usage.model,
      providerKeyOwner: usage.keyOwner ?? null,
      cached,
      promptTokens,
      completionTokens,
      costMicros: cost + this.wasted.micros,
      reservedMicros: 0,
      finishedAt: new Date(),
    };
  }

  /** Holds the worst case of the chain's most expensive provider against today's budget, or refuses the job. */
  private async reserve(chain: ReturnType<ModelRouter['chainFor']>): Promise<void> {
    const worst = Math.max(
      ...chain.map((p) => micros(this.deps.prices.cost(p.models[0]!, this.promptEstimate, p.maxTokens))),
    );
    await reserveBudget({
      lock: this.deps.lock,
      em: this.deps.fork(),
      ownerId: this.job.ownerId,
      jobId: this.job.id,
      budgetUsd: this.deps.settings.dailyBudgetUsd,
      worstMicros: worst,
      hold: () =>
        this.writer.note(`Reserved up to $${(worst / 1_000_000).toFixed(6)} of today's budget`, {
          reservedMicros: worst,
        }),
    });
  }
}

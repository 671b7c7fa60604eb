import { CircuitOpenError, PolicyTimeoutError } from '@atrium/platform/resilience';
import type { JobErrorCode } from '../errors';
import type { GenerationKind } from '../generation-job/generation-job.entity';
import { templateFor, type TemplateInput } from '../prompts';
import type { CircuitBoard } from './circuit-board';
import type { JobMetrics } from '../metrics/job-metrics';
import type { RegisteredProvider } from './provider-registry';
import { ProviderError } from './providers/errors';
import type { ProviderUsage } from './providers/types';

export interface RouteRequest {
  kind: GenerationKind;
  input: TemplateInput;
  /** A provider to try first; the others of the kind's chain follow. */
  preference: string | null;
  /** Providers on the job owner's own keys: tried before the deployment's chain. */
  ownProviders?: readonly RegisteredProvider[];
}

/** What the router tells the job runner while it works. */
export interface RouteSink {
  /** An attempt is about to call `provider`: any output of an earlier attempt must be discarded. */
  attemptStarting(provider: RegisteredProvider, model: string, attempt: number): Promise<void>;
  delta(text: string): void;
  expect(totalChars: number): void;
  /** A human-readable step: a skip, a failure, a failover. */
  note(message: string): Promise<void>;
}

export interface RouteResult extends ProviderUsage {
  provider: RegisteredProvider;
  model: string;
}

/** Every provider of the chain failed or was skipped. `retryable` when trying again later may succeed. */
export class AllProvidersFailedError extends Error {
  readonly code = 'ALL_PROVIDERS_FAILED' satisfies JobErrorCode;
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'AllProvidersFailedError';
  }
}

/**
 * The provider answered 401 to the user's own key: the key is revoked or wrong, so no other provider is tried
 * with the user's intent silently changed and retrying cannot help. Integrations is told; the user reconnects.
 */
export class OwnKeyRejectedError extends Error {
  readonly code = 'PROVIDER_KEY_REJECTED';
  readonly retryable = false;
  constructor(readonly provider: RegisteredProvider) {
    super(`${provider.id} rejected your own API key (HTTP 401); connect a valid key in integrations`);
    this.name = 'OwnKeyRejectedError';
  }
}

/** Safe text for a failure (goes into job errors and events): our own messages only. */
export function describeFailure(error: unknown): string {
  if (error instanceof ProviderError) return error.message;
  if (error instanceof PolicyTimeoutError) return `no complete answer within ${error.timeoutMs} ms`;
  if (error instanceof CircuitOpenError) return 'circuit open';
  return 'unexpected error';
}

function retryableFailure(error: unknown): boolean {
  return (
    error instanceof CircuitOpenError ||
    error instanceof PolicyTimeoutError ||
    (error instanceof ProviderError && error.retryable)
  );
}

/**
 * Routes a job through the kind's ordered provider chain. A provider whose circuit is open (here or, through
 * the circuit board, in another process) is skipped without a call; one that fails after its policy's retries
 * hands over to the next, and every new attempt restarts the output (the sink tells subscribers).
 */
export class ModelRouter {
  private readonly byId: Map<string, RegisteredProvider>;

  constructor(
    private readonly providers: readonly RegisteredProvider[],
    private readonly routes: Readonly<Record<string, readonly string[]>>,
    private readonly board: CircuitBoard,
    /** Times each provider call; optional for tests that do not read metrics. */
    private readonly metrics?: Pick<JobMetrics, 'providerCall'>,
  ) {
    this.byId = new Map(providers.map((p) => [p.id, p]));
  }

  /** The providers a job of `kind` tries, in order, the preferred one first. */
  chainFor(kind: GenerationKind, preference: string | null): RegisteredProvider[] {
    const route = this.routes[kind];
    const chain = route ? route.map((id) => this.byId.get(id)!) : [...this.providers];
    const preferred = preference ? this.byId.get(preference) : undefined;
    return preferred ? [preferred, ...chain.filter((p) => p !== preferred)] : chain;
  }

  async run(request: RouteRequest, signal: AbortSignal, sink: RouteSink): Promise<RouteResult> {
    const template = templateFor(request.kind);
    const failures: string[] = [];
    let retryable = false;
    const chain = [...(request.ownProviders ?? []), ...this.chainFor(request.kind, request.preference)];
    for (const provider of chain) {
      // Own-key providers have circuits of their own, not shared on the board with the deployment's.
      if (!provider.ownKey && (await this.board.coolingDown(provider))) {
        failures.push(`${provider.id}: circuit open`);
        retryable = true;
        await sink.note(`Skipped ${provider.id}: its circuit is open`);
        continue;
      }
      const model = provider.models[0]!;
      let attempt = 0;
      const started = performance.now();
      const observe = (outcome: 'ok' | 'error' | 'cancelled') =>
        this.metrics?.providerCall(provider.id, outcome, (performance.now() - started) / 1000);
      try {
        const usage = await provider.policy.execute(
          async (attemptSignal) => {
            await sink.attemptStarting(provider, model, ++attempt);
            return provider.client.stream(
              {
                kind: request.kind,
                model,
                system: template.system,
                user: template.user(request.input),
                maxTokens: provider.maxTokens,
                input: request.input,
              },
              attemptSignal,
              sink,
            );
          },
          { signal },
        );
        observe('ok');
        return { ...usage, provider, model };
      } catch (error) {
        observe(signal.aborted ? 'cancelled' : 'error');
        if (signal.aborted) throw signal.reason;
        if (provider.ownKey && error instanceof ProviderError && error.status === 401)
          throw new OwnKeyRejectedError(provider);
        const reason = describeFailure(error);
        failures.push(`${provider.id}: ${reason}`);
        retryable ||= retryableFailure(error);
        await sink.note(`${provider.id} failed (${reason})`);
      }
    }
    throw new AllProvidersFailedError(
      `No provider could answer — ${failures.join('; ')}`.slice(0, 480),
      retryable,
    );
  }
}

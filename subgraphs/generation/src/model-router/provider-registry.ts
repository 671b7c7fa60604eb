import { PolicyTimeoutError, type Policy, type PolicyRegistry } from '@atrium/platform/resilience';
import type { GenerationSettings, ProviderConfig } from '../config';
import { anthropicProvider } from './providers/anthropic';
import { ProviderError } from './providers/errors';
import { localProvider } from './providers/local';
import { openAiProvider } from './providers/openai';
import type { ProviderClient } from './providers/types';
import type { OwnKey } from './own-keys';

/** A provider ready to be called: its configuration (key included, never logged), client and circuit. */
export interface RegisteredProvider {
  id: string;
  kind: ProviderConfig['kind'];
  models: string[];
  maxTokens: number;
  client: ProviderClient;
  /** The provider's circuit, one per process; every call to it goes through this policy. */
  policy: Policy;
  /** Set when the provider runs on a user's own key (from integrations) rather than the deployment's. */
  ownKey?: OwnKey;
}

function isRetryable(error: unknown): boolean {
  if (error instanceof ProviderError) return error.retryable;
  return error instanceof PolicyTimeoutError;
}

function countsAgainstProvider(error: unknown): boolean {
  return error instanceof ProviderError ? error.countsAgainstProvider : true;
}

export function clientFor(config: ProviderConfig, settings: GenerationSettings): ProviderClient {
  if (config.kind === 'openai') return openAiProvider(config);
  if (config.kind === 'anthropic') return anthropicProvider(config);
  return localProvider({ chunkDelayMs: settings.localChunkDelayMs });
}

/**
 * Registers every configured provider with its own mollitia circuit: an abortable timeout per attempt, retries
 * with backoff and full jitter for retryable failures only (429, 5xx, network, broken stream, timeout — never
 * another 4xx), and a sliding-window breaker that only the provider's own failures count against.
 */
export function registerProviders(
  settings: GenerationSettings,
  policies: PolicyRegistry,
): RegisteredProvider[] {
  return settings.providers.map((config) => ({
    id: config.id,
    kind: config.kind,
    models: config.models,
    maxTokens: config.maxTokens,
    client: clientFor(config, settings),
    policy: providerPolicy(`provider:${config.id}`, config, settings, policies),
  }));
}

/** The circuit of one provider: abortable timeout, retries for retryable failures only, a breaker. */
export function providerPolicy(
  name: string,
  config: ProviderConfig,
  settings: GenerationSettings,
  policies: PolicyRegistry,
): Policy {
  return policies.get({
    name,
    timeoutMs: config.timeoutMs,
    retry: {
      attempts: config.attempts,
      baseDelayMs: settings.retryBaseDelayMs,
      maxDelayMs: Math.max(settings.retryBaseDelayMs, 8 * settings.retryBaseDelayMs),
      isRetryable,
    },
    breaker: { ...settings.breaker, isFailure: countsAgainstProvider },
  });
}

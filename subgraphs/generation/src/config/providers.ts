import { ConfigProblem, type VarSpec } from '@atrium/platform/config';

export type ProviderKind = 'openai' | 'anthropic' | 'local';
const KINDS: readonly ProviderKind[] = ['openai', 'anthropic', 'local'];

/** One configured model provider. `apiKey` is resolved from the environment and never logged or queued. */
export interface ProviderConfig {
  /** Unique id, shown in `modelProviders` and stored on jobs (`[a-z0-9-]{1,32}`). */
  id: string;
  kind: ProviderKind;
  /** Base URL of the API (…/v1). Defaults: OpenAI's and Anthropic's public endpoints; unused by `local`. */
  baseUrl: string;
  /** Models offered; the first is the one the router uses. */
  models: string[];
  /** Bearer/x-api-key credential, or undefined (e.g. a local Ollama needs none). */
  apiKey: string | undefined;
  /** Limit of one attempt, stream included; the call is aborted when it expires. */
  timeoutMs: number;
  /** Attempts on this provider (1 = no retry) for retryable failures: 429, 5xx, network, timeout. */
  attempts: number;
  /** Upper bound of completion tokens asked for; also what a budget reservation assumes. */
  maxTokens: number;
}

export const DEFAULT_BASE_URLS: Record<ProviderKind, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
  local: 'local:',
};
export const DEFAULT_MODELS: Record<ProviderKind, string> = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-3-5-haiku-latest',
  local: 'template-v1',
};
const ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

export const PROVIDERS_ALLOWED =
  'a JSON array of {id?, kind, models?, baseUrl?, apiKeyEnv?, timeoutMs?, attempts?, maxTokens?} or a ' +
  'comma-separated list of [id=]kind[:model|model…][@baseUrl] with kind one of openai, anthropic, local';

interface RawProvider {
  id?: unknown;
  kind?: unknown;
  models?: unknown;
  baseUrl?: unknown;
  apiKeyEnv?: unknown;
  timeoutMs?: unknown;
  attempts?: unknown;
  maxTokens?: unknown;
}

export interface ProviderDefaults {
  timeoutMs: number;
  attempts: number;
  maxTokens: number;
}

/**
 * Parses GENERATION_PROVIDERS. API keys come from the variable named by `apiKeyEnv` (default `<ID>_API_KEY`,
 * e.g. OPENAI_API_KEY), read from the same `source`, so a key never has to be written into the list itself.
 */
export function parseProviders(
  raw: string,
  source: Record<string, string | undefined>,
  defaults: ProviderDefaults,
): ProviderConfig[] {
  const items = raw.trimStart().startsWith('[') ? parseJson(raw) : raw.split(',').map(parseCompact);
  if (items.length === 0) throw new ConfigProblem(`lists no provider; expected ${PROVIDERS_ALLOWED}`);
  const providers = items.map((item) => toProvider(item, source, defaults));
  const ids = providers.map((p) => p.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate) throw new ConfigProblem(`names provider "${duplicate}" twice`);
  return providers;
}

function parseJson(raw: string): RawProvider[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigProblem(`is not valid JSON; expected ${PROVIDERS_ALLOWED}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'object' && item !== null))
    throw new ConfigProblem(`expected ${PROVIDERS_ALLOWED}`);
  return parsed as RawProvider[];
}

function parseCompact(item: string): RawProvider {
  const match = /^\s*(?:([^=\s]+)=)?([a-z]+)(?::([^@\s]+))?(?:@(\S+))?\s*$/.exec(item);
  if (!match) throw new ConfigProblem(`has an unreadable item; expected ${PROVIDERS_ALLOWED}`);
  const [, id, kind, models, baseUrl] = match;
  return { id, kind, models: models?.split('|'), baseUrl };
}

function toProvider(
  item: RawProvider,
  source: Record<string, string | undefined>,
  defaults: ProviderDefaults,
): ProviderConfig {
  const kind = item.kind as ProviderKind;
  if (!KINDS.includes(kind))
    throw new ConfigProblem(`has a provider of unknown kind; expected ${PROVIDERS_ALLOWED}`);
  const id = item.id === undefined ? kind : item.id;
  if (typeof id !== 'string' || !ID.test(id))
    throw new ConfigProblem(`has a provider id that is not [a-z0-9-]{1,32}`);
  const models = item.models === undefined ? [DEFAULT_MODELS[kind]] : item.models;
  if (!Array.isArray(models) || models.length === 0 || !models.every((m) => typeof m === 'string' && m))
    throw new ConfigProblem(`provider "${id}": models must be a non-empty list of names`);
  const baseUrl = item.baseUrl === undefined ? DEFAULT_BASE_URLS[kind] : item.baseUrl;
  if (typeof baseUrl !== 'string' || (kind !== 'local' && !/^https?:\/\/\S+$/.test(baseUrl)))
    throw new ConfigProblem(`provider "${id}": baseUrl must be an http(s) URL`);
  const keyVar =
    item.apiKeyEnv === undefined ? `${id.toUpperCase().replace(/-/g, '_')}_API_KEY` : item.apiKeyEnv;
  if (typeof keyVar !== 'string')
    throw new ConfigProblem(`provider "${id}": apiKeyEnv must be a variable name`);
  return {
    id,
    kind,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    models: models as string[],
    apiKey: kind === 'local' ? undefined : source[keyVar]?.trim() || undefined,
    timeoutMs: positiveInt(item.timeoutMs, defaults.timeoutMs, `provider "${id}": timeoutMs`),
    attempts: positiveInt(item.attempts, defaults.attempts, `provider "${id}": attempts`),
    maxTokens: positiveInt(item.maxTokens, defaults.maxTokens, `provider "${id}": maxTokens`),
  };
}

function positiveInt(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new ConfigProblem(`${what} must be a positive integer`);
  return value;
}

/**
 * GENERATION_ROUTES: `KIND=id>id>id;KIND=id…` — the ordered fallback chain per kind. Kinds not named use every
 * provider in configured order. Returns the raw chains; `validateRoutes` checks the ids once providers are known.
 */
export function parseRoutes(raw: string | undefined): Record<string, string[]> {
  if (raw === undefined) return {};
  const routes: Record<string, string[]> = {};
  for (const part of raw
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([A-Z_]+)\s*=\s*([a-z0-9-]+(?:\s*>\s*[a-z0-9-]+)*)$/.exec(part);
    if (!match) throw new ConfigProblem('expected KIND=provider>provider;… (e.g. BATTLECARD=openai>local)');
    routes[match[1]!] = match[2]!.split('>').map((id) => id.trim());
  }
  return routes;
}

/** A decimal number >= 0 (prices, budgets); `undefined` raw gives `fallback`. */
export function decimal(fallback: number, allowed = 'a decimal number >= 0'): VarSpec<number> {
  return {
    description: { allowed, default: String(fallback) },
    parse(raw) {
      if (raw === undefined) return fallback;
      const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isFinite(value)) throw new ConfigProblem(`expected ${allowed}`);
      return value;
    },
  };
}

/** A port that may be absent (undefined). */
export function optionalPort(): VarSpec<number | undefined> {
  return {
    description: { allowed: 'a TCP port 0..65535 (optional)' },
    parse(raw) {
      if (raw === undefined) return undefined;
      const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isInteger(value) || value > 65535) throw new ConfigProblem('expected a TCP port 0..65535');
      return value;
    },
  };
}

import { stripUrlCredentials } from '../logging/sanitize';
import { ConfigError, ConfigProblem, type VarSpec } from './problems';

export { env } from './env';
export {
  DEVELOPMENT_SECRET_FILE,
  INTERNAL_TOKEN_DEVELOPMENT_SECRET,
  PUBLISHED_INTERNAL_SECRETS,
  developmentSecret,
  developmentSecretOrigin,
  developmentSecretSpec,
  internalTokenSecretSpec,
  withDevelopmentSecret,
  type DevelopmentSecret,
} from './development-secret';

/** The longest delay a Node.js timer supports; a larger one fires after 1 ms. Bound of every `*_MS` variable. */
export const MAX_TIMER_MS = 2_147_483_647;
export { ConfigError, ConfigProblem, type ParseContext, type VarDescription, type VarSpec } from './problems';

/** The typed, frozen result of `loadConfig` for a given spec. */
export type ConfigOf<S extends Record<string, VarSpec<unknown>>> = Readonly<{
  [K in keyof S]: S[K] extends VarSpec<infer T> ? T : never;
}>;

/** One row of the generated configuration reference. */
export interface ConfigRow {
  name: string;
  /** The default as text; undefined when the variable is required. */
  default: string | undefined;
  allowed: string;
  secret: boolean;
}

const MAX_SHOWN_VALUE = 80;

/**
 * Reads and validates every variable of `spec` (its keys ARE the variable names) from `source`, which only a
 * service's `main.ts` sets to `process.env`. Pure: no other input, no side effect. Secrets are enforced when
 * `source.NODE_ENV === 'production'`.
 *
 * @throws ConfigError listing every bad variable with its value (secrets redacted, URL credentials stripped) and
 *   its allowed values — all problems at once, not only the first.
 */
export function loadConfig<S extends Record<string, VarSpec<unknown>>>(
  spec: S,
  source: Record<string, string | undefined>,
): ConfigOf<S> {
  const ctxBase = { production: source.NODE_ENV === 'production' };
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, varSpec] of Object.entries(spec)) {
    const raw = normalise(source[name]);
    try {
      values[name] = freezeValue(varSpec.parse(raw, { ...ctxBase, name }));
    } catch (error) {
      problems.push(`${name}=${shownValue(raw, varSpec)}: ${problemText(error, varSpec)}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(values) as ConfigOf<S>;
}

/** Rows describing every variable of `spec`, for the generated configuration reference. */
export function describeConfig(spec: Record<string, VarSpec<unknown>>): ConfigRow[] {
  return Object.entries(spec).map(([name, varSpec]) => ({
    name,
    default: varSpec.description?.default,
    allowed: varSpec.description?.allowed ?? 'custom',
    secret: varSpec.description?.secret ?? false,
  }));
}

function normalise(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  return trimmed === '' ? undefined : trimmed;
}

function freezeValue(value: unknown): unknown {
  return Array.isArray(value) ? Object.freeze(value) : value;
}

function shownValue(raw: string | undefined, varSpec: VarSpec<unknown>): string {
  if (raw === undefined) return '(unset)';
  if (varSpec.description?.secret) return '[REDACTED]';
  const safe = stripUrlCredentials(raw);
  const shown = safe.length > MAX_SHOWN_VALUE ? `${safe.slice(0, MAX_SHOWN_VALUE)}…` : safe;
  return JSON.stringify(shown);
}

function problemText(error: unknown, varSpec: VarSpec<unknown>): string {
  // A custom parser may throw something other than ConfigProblem; its message could contain the raw value,
  // so for secrets only our own wording is shown.
  if (error instanceof ConfigProblem) return error.message;
  if (varSpec.description?.secret) return 'is invalid';
  return stripUrlCredentials(error instanceof Error ? error.message : String(error));
}

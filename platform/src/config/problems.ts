/**
 * What one variable's parser throws when the raw value is unusable. The message names the allowed values and must
 * never contain the raw value itself: `loadConfig` shows the value (redacted for secrets) next to it.
 */
export class ConfigProblem extends Error {
  override name = 'ConfigProblem';
}

/** Every configuration problem found in one pass, so an operator fixes them all at once instead of one per restart. */
export class ConfigError extends Error {
  override name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`,
    );
  }
}

/** Context every parser receives: the variable's name and whether secrets must be real (NODE_ENV=production). */
export interface ParseContext {
  name: string;
  production: boolean;
}

/** How a variable appears in generated configuration docs. */
export interface VarDescription {
  /** The default as text, or undefined when the variable is required. */
  default?: string;
  /** The allowed values in words, e.g. `integer 1..100` or `one of: debug, info`. */
  allowed: string;
  /** A secret's value is never shown, neither in errors nor in docs. */
  secret?: boolean;
}

/**
 * One environment variable: how to parse it, and how to describe it. `parse` receives undefined for a missing or
 * empty variable and throws `ConfigProblem` when the value is unusable.
 */
export interface VarSpec<T> {
  parse(raw: string | undefined, ctx: ParseContext): T;
  /** Optional so a caller can write a one-off spec as `{ parse }`; such a spec is documented as `custom`. */
  readonly description?: VarDescription;
}

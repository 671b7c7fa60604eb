import { ConfigProblem, type VarSpec } from './problems';

// Parsers receive the trimmed value, or undefined when the variable is missing or empty: an empty `PORT=` line in
// a .env file means "use the default", never "the empty string".

function required<T>(raw: string | undefined, fallback: T | undefined, allowed: string): string | T {
  if (raw !== undefined) return raw;
  if (fallback !== undefined) return fallback;
  throw new ConfigProblem(`is required; expected ${allowed}`);
}

function spec<T>(allowed: string, fallback: string | undefined, parse: VarSpec<T>['parse']): VarSpec<T> {
  return { parse, description: { allowed, default: fallback } };
}

function parseInteger(raw: string, min: number, max: number, allowed: string): number {
  const value = /^[-+]?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new ConfigProblem(`expected ${allowed}`);
  return value;
}

function rangeText(min: number, max: number): string {
  if (min === Number.MIN_SAFE_INTEGER && max === Number.MAX_SAFE_INTEGER) return 'an integer';
  if (max === Number.MAX_SAFE_INTEGER) return `an integer >= ${min}`;
  if (min === Number.MIN_SAFE_INTEGER) return `an integer <= ${max}`;
  return `an integer ${min}..${max}`;
}

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

function normaliseProtocols(protocols: string[] | undefined): string[] | undefined {
  return protocols?.map((p) => (p.endsWith(':') ? p : `${p}:`).toLowerCase());
}

function parseUrl(raw: string, protocols: string[] | undefined, allowed: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigProblem(`expected ${allowed}`);
  }
  if (protocols && !protocols.includes(url.protocol)) throw new ConfigProblem(`expected ${allowed}`);
  return raw;
}

function urlText(protocols: string[] | undefined): string {
  return protocols
    ? `an absolute URL (${protocols.map((p) => p.slice(0, -1)).join(', ')})`
    : 'an absolute URL';
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Builders for the variables a service reads; pass them to `loadConfig` keyed by variable name. */
export const env = {
  /** Text. `pattern` must match the whole value; `allowed` describes it in words for errors and docs. */
  string(o: { default?: string; pattern?: RegExp; allowed?: string } = {}): VarSpec<string> {
    const allowed = o.allowed ?? (o.pattern ? `text matching ${o.pattern}` : 'any text');
    return spec(allowed, o.default, (raw) => {
      const value = required(raw, o.default, allowed);
      if (o.pattern && !wholeMatch(o.pattern, value)) throw new ConfigProblem(`expected ${allowed}`);
      return value;
    });
  },

  /** Text that may be absent (undefined). */
  optionalString(): VarSpec<string | undefined> {
    return spec('any text (optional)', undefined, (raw) => raw);
  },

  /**
   * A safe integer within [min, max] (both inclusive). `max` is required: every limit has a largest value the
   * code behind it supports (a timer's 2^31-1 ms, a rate limiter's one unit per microsecond), and a typo beyond it
   * must stop the start, not silently switch a defence off.
   */
  int(o: { default?: number; min?: number; max: number }): VarSpec<number> {
    const min = o.min ?? Number.MIN_SAFE_INTEGER;
    const max = o.max;
    const allowed = rangeText(min, max);
    return spec(allowed, o.default?.toString(), (raw) =>
      raw === undefined
        ? (required(raw, o.default, allowed) as number)
        : parseInteger(raw, min, max, allowed),
    );
  },

  /** A TCP port, 0..65535 (0 lets the OS choose, which tests use). */
  port(o: { default?: number } = {}): VarSpec<number> {
    return env.int({ ...o, min: 0, max: 65535 });
  },

  /** A boolean written as true/false, 1/0 or yes/no (any case). */
  bool(o: { default?: boolean } = {}): VarSpec<boolean> {
    const allowed = 'one of: true, false, 1, 0, yes, no';
    return spec(allowed, o.default?.toString(), (raw) => {
      if (raw === undefined) return required(raw, o.default, allowed) as boolean;
      const lower = raw.toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      throw new ConfigProblem(`expected ${allowed}`);
    });
  },

  /** One of a fixed set of values (exact, case-sensitive). */
  oneOf<T extends string>(values: readonly T[], o: { default?: T } = {}): VarSpec<T> {
    const allowed = `one of: ${values.join(', ')}`;
    return spec(allowed, o.default, (raw) => {
      const value = required(raw, o.default, allowed);
      if (!(values as readonly string[]).includes(value)) throw new ConfigProblem(`expected ${allowed}`);
      return value as T;
    });
  },

  /** An absolute URL, returned as written. `protocols` like `['http', 'https']` restricts the scheme. */
  url(o: { default?: string; protocols?: string[] } = {}): VarSpec<string> {
    const protocols = normaliseProtocols(o.protocols);
    const allowed = urlText(protocols);
    return spec(allowed, o.default, (raw) => parseUrl(required(raw, o.default, allowed), protocols, allowed));
  },

  /** An absolute URL that may be absent; absence is how embedded mode is chosen (DATABASE_URL, REDIS_URL). */
  optionalUrl(o: { protocols?: string[] } = {}): VarSpec<string | undefined> {
    const protocols = normaliseProtocols(o.protocols);
    const allowed = `${urlText(protocols)} (optional)`;
    return spec(allowed, undefined, (raw) =>
      raw === undefined ? undefined : parseUrl(raw, protocols, allowed),
    );
  },

  /** A comma-separated list; items are trimmed and empty items dropped. Missing → `default` (or empty). */
  list(o: { default?: string[] } = {}): VarSpec<string[]> {
    return spec('a comma-separated list', o.default?.join(','), (raw) =>
      raw === undefined ? [...(o.default ?? [])] : splitList(raw),
    );
  },

  /**
   * A secret (signing key, encryption key). Outside production a missing value falls back to `devDefault`, so
   * embedded mode starts with nothing configured; without a `devDefault` it is required everywhere, and `missing`
   * says (in the docs and the error) how development gets one. In production (NODE_ENV=production) a missing value,
   * one shorter than `minLength` (default 32) or one equal to `devDefault` is a problem. A `refused` value
   * (published, so guessable) is a problem everywhere. The value never appears in a message.
   */
  secret(
    o: { devDefault?: string; minLength?: number; refused?: readonly string[]; missing?: string } = {},
  ): VarSpec<string> {
    const minLength = o.minLength ?? 32;
    const allowed =
      o.devDefault === undefined
        ? `a secret of at least ${minLength} characters in production, never a published development value`
        : `a secret of at least ${minLength} characters, not the development default (required in production)`;
    const shownDefault =
      o.devDefault !== undefined
        ? '(development default outside production)'
        : o.missing
          ? `(${o.missing})`
          : undefined;
    return {
      description: { allowed, default: shownDefault, secret: true },
      parse(raw, ctx) {
        if (raw !== undefined && o.refused?.includes(raw))
          throw new ConfigProblem(`is a published development value; expected ${allowed}`);
        if (!ctx.production && raw === undefined && o.devDefault !== undefined) return o.devDefault;
        if (raw === undefined)
          throw new ConfigProblem(
            ctx.production || !o.missing
              ? `is required${ctx.production ? ' in production' : ''}; expected ${allowed}`
              : `is required (${o.missing}); expected ${allowed}`,
          );
        if (!ctx.production) return raw;
        if (raw === o.devDefault) throw new ConfigProblem(`is the development default; expected ${allowed}`);
        if (raw.length < minLength)
          throw new ConfigProblem(`is shorter than ${minLength} characters; expected ${allowed}`);
        return raw;
      },
    };
  },
};

function wholeMatch(pattern: RegExp, value: string): boolean {
  // A fresh non-global copy: a /g pattern's lastIndex would make repeated loads disagree.
  const match = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).exec(value);
  return match !== null && match.index === 0 && match[0].length === value.length;
}

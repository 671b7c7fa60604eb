/** What a redacted value is replaced with. */
export const REDACT_CENSOR = '[REDACTED]';

/** Keys (compared case-insensitively) whose value is a credential wherever it appears in a log line. */
export const REDACTED_KEYS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-atrium-assertion',
  'password',
  'newPassword',
  'currentPassword',
  'oldPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'access_token',
  'refresh_token',
  'id_token',
  'challengeToken',
  'secret',
  'clientSecret',
  'client_secret',
  'apiKey',
  'api_key',
  'privateKey',
  'private_key',
  'codeVerifier',
  'code_verifier',
  'otpauthUri',
  'totpCode',
  'connectionParams',
];

// `code` is also an error code (`err.code: 'ECONNREFUSED'`, `extensions.code`), so the OAuth authorization code is
// redacted only at the top level and where a request carries its parameters.
const CODE_CONTAINERS = new Set(['query', 'body', 'params', 'input', 'variables', 'args']);

const SENSITIVE = new Set(REDACTED_KEYS.map((key) => key.toLowerCase()));

// A line without any of these keys (the common case) is written untouched, without being parsed again.
const MAY_BE_SENSITIVE = new RegExp(`"(?:${[...SENSITIVE, 'code'].map(escapeRegExp).join('|')})":`, 'i');

/**
 * Censors a finished JSON log line: every sensitive key (REDACTED_KEYS at any depth, OAuth `code` at the top level
 * or in request parameters) gets '[REDACTED]'. Working on the final line covers everything pino writes — the
 * log object, child bindings, serialized errors and whatever `toJSON` produced.
 *
 * pino's own `redact` needs one path per key and depth; with these keys at useful depths it measured ~200 µs per
 * line. Here a line without a sensitive key costs one regular-expression test, one with such a key a re-parse.
 */
export function redactLine(line: string): string {
  if (!MAY_BE_SENSITIVE.test(line)) return line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line;
  }
  return `${JSON.stringify(redactSensitive(parsed))}\n`;
}

/** A copy of plain JSON data with every sensitive key censored; unchanged branches are shared, not copied. */
export function redactSensitive<T>(value: T): T {
  return visit(value, undefined) as T;
}

function visit(value: unknown, parentKey: string | undefined): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, i) => {
      const next = visit(item, parentKey);
      if (next !== item) (copy ??= value.slice())[i] = next;
    });
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const next = item !== undefined && isSensitive(key, parentKey) ? REDACT_CENSOR : visit(item, key);
    if (next !== item) (copy ??= { ...record })[key] = next;
  }
  return copy ?? value;
}

function isSensitive(key: string, parentKey: string | undefined): boolean {
  const lower = key.toLowerCase();
  if (SENSITIVE.has(lower)) return true;
  return lower === 'code' && (parentKey === undefined || CODE_CONTAINERS.has(parentKey));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Dependency-free on purpose: config and health use it without loading pino.

// The userinfo of a URL ends at its last `@` before the host; it cannot contain whitespace, quotes or the path,
// query and fragment delimiters, so the match stays inside one URL even within a JSON log line.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^\s"'<>\\/?#]*@/gi;

/**
 * Replaces URL credentials with `***`: `redis://user:pass@host` → `redis://***@host`, also inside free text, JSON
 * and strings that are not valid URLs, and when the password itself contains `@` or `:`.
 */
export function stripUrlCredentials(text: string): string {
  // Every match contains '://'; looking for it first costs ~1/25 of running the pattern over a line without one
  // (the common log line), which was ~1.3 µs per line.
  return text.includes('://') ? text.replace(URL_CREDENTIALS, '$1***@') : text;
}

/** A message fit for a client-visible or logged summary: credentials stripped, at most `max` characters. */
export function safeMessage(text: string, max = 200): string {
  const stripped = stripUrlCredentials(text);
  return stripped.length > max ? `${stripped.slice(0, max - 1)}…` : stripped;
}

/** The value at a dotted path (`team.id`) of a JSON value, as text when it is a string or a number. */
export function textAt(value: unknown, path: string | undefined): string | null {
  if (!path) return null;
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return null;
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current === 'number') return String(current);
  return typeof current === 'string' && current.length > 0 ? current.slice(0, 255) : null;
}

export function assertTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError('ttlMs must be a positive integer');
}

/** JSON text of a value; `undefined` cannot be told from a miss, so it is refused. */
export function serialize(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('cannot cache undefined (or a function)');
  return json;
}

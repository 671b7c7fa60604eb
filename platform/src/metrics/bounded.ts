/**
 * Caps the distinct values of a client-influenced label: the first `limit` values pass through, later new values
 * become `overflow`. Without it every random operation name or route would add a time series forever.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    private readonly limit: number,
    private readonly overflow = 'other',
  ) {}

  value(raw: string): string {
    if (this.seen.has(raw)) return raw;
    if (this.seen.size >= this.limit) return this.overflow;
    this.seen.add(raw);
    return raw;
  }
}

import type { RateLimiter, RateLimitResult, RateLimitRule } from './index';
import { gcra, gcraRefund, normalizeRule } from './gcra';

export interface MemoryRateLimiterOptions {
  /** Keys tracked before expired ones are swept (an attacker rotating keys must not grow memory). Default 100 000. */
  maxKeys?: number;
}

/** In-process GCRA limiter: exact, but per process (each replica counts on its own). */
export class MemoryRateLimiter implements RateLimiter {
  /** Key → theoretical arrival time in epoch microseconds. */
  private readonly tats = new Map<string, number>();
  private readonly maxKeys: number;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  async consume(key: string, rule: RateLimitRule): Promise<RateLimitResult> {
    const now = Date.now() * 1000;
    const { tat, ...result } = gcra(this.tats.get(key), now, normalizeRule(rule));
    if (tat !== undefined) {
      this.tats.set(key, tat);
      if (this.tats.size > this.maxKeys) this.sweep(now);
    }
    return result;
  }

  async refund(key: string, rule: RateLimitRule): Promise<void> {
    const tat = gcraRefund(this.tats.get(key), Date.now() * 1000, normalizeRule(rule));
    if (tat === undefined) this.tats.delete(key);
    else this.tats.set(key, tat);
  }

  async reset(key: string): Promise<void> {
    this.tats.delete(key);
  }

  /** Keys tracked: what a memory test counts. */
  get size(): number {
    return this.tats.size;
  }

  /** A key whose TAT has passed is the same as an absent one. If all are live, the oldest-set go. */
  private sweep(now: number): void {
    for (const [key, tat] of this.tats) if (tat <= now) this.tats.delete(key);
    for (const key of this.tats.keys()) {
      if (this.tats.size <= this.maxKeys) break;
      this.tats.delete(key);
    }
  }
}

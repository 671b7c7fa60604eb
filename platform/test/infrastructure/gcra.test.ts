import { gcra, normalizeRule } from '../../src/rate-limit/gcra';

/** Runs `calls` consumptions at one instant and counts the allowed ones, storing TATs like the limiters do. */
function burst(limit: number, windowMs: number, calls: number, nowUs = 1_760_000_000_123_456): number {
  let tat: number | undefined;
  let allowed = 0;
  for (let n = 0; n < calls; n++) {
    const result = gcra(tat, nowUs, normalizeRule({ limit, windowMs }));
    if (result.allowed) allowed++;
    tat = result.tat ?? tat;
  }
  return allowed;
}

describe('GCRA', () => {
  test('allows exactly `limit` calls at one instant, whatever the interval rounding', () => {
    for (const windowMs of [1, 7, 999, 1000, 60_000, 86_400_000]) {
      for (const limit of [1, 2, 3, 7, 13, 100, 997]) {
        if (limit > windowMs * 1000) continue;
        expect([windowMs, limit, burst(limit, windowMs, limit + 5)]).toEqual([windowMs, limit, limit]);
      }
    }
  });

  test('denies with the exact wait until one unit is back, and a denied call consumes nothing', () => {
    const rule = normalizeRule({ limit: 4, windowMs: 1000 });
    const now = 5_000_000;
    let tat: number | undefined;
    for (let n = 0; n < 4; n++) tat = gcra(tat, now, rule).tat;
    expect(gcra(tat, now, rule)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 250 });
    expect(gcra(tat, now + 100_000, rule)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 150 });
    expect(gcra(tat, now + 250_000, rule)).toMatchObject({ allowed: true, remaining: 0 });
    expect(gcra(tat, now + 1_000_000, rule)).toMatchObject({ allowed: true, remaining: 3 });
  });

  test('cost spends several units and reports how many remain', () => {
    const rule = normalizeRule({ limit: 10, windowMs: 1000, cost: 4 });
    const first = gcra(undefined, 0, rule);
    expect(first).toMatchObject({ allowed: true, remaining: 6 });
    const second = gcra(first.tat, 0, rule);
    expect(second).toMatchObject({ allowed: true, remaining: 2 });
    expect(gcra(second.tat, 0, rule)).toEqual({ allowed: false, remaining: 2, retryAfterMs: 200 });
  });

  test('refuses rules it cannot honour', () => {
    expect(() => normalizeRule({ limit: 0, windowMs: 1000 })).toThrow(RangeError);
    expect(() => normalizeRule({ limit: 1.5, windowMs: 1000 })).toThrow(RangeError);
    expect(() => normalizeRule({ limit: 1, windowMs: 0.5 })).toThrow(RangeError);
    expect(() => normalizeRule({ limit: 2, windowMs: 1000, cost: 3 })).toThrow(RangeError);
    expect(() => normalizeRule({ limit: 2000, windowMs: 1 })).toThrow(RangeError);
  });
});

import { buildSchema } from 'graphql';
import { PassedOperations } from '../src/limits/passed-operations';

const schema = buildSchema('type Query { a(n: Int): Int }');

describe('PassedOperations', () => {
  it('remembers a pass for its exact query hash, operation name and variables only', () => {
    const passed = new PassedOperations();
    const key = passed.keyOf('hash-1', 'Op', { n: 3 })!;
    expect(passed.has(schema, key)).toBe(false);
    passed.add(schema, key);
    expect(passed.has(schema, passed.keyOf('hash-1', 'Op', { n: 3 })!)).toBe(true);
    for (const other of [
      passed.keyOf('hash-1', 'Op', { n: 100 }),
      passed.keyOf('hash-1', 'Other', { n: 3 }),
      passed.keyOf('hash-1', undefined, { n: 3 }),
      passed.keyOf('hash-2', 'Op', { n: 3 }),
      passed.keyOf('hash-1', 'Op', {}),
    ])
      expect(passed.has(schema, other!)).toBe(false);
  });

  it('forgets everything when the schema changes', () => {
    const passed = new PassedOperations();
    const key = passed.keyOf('hash-1', null, undefined)!;
    passed.add(schema, key);
    const next = buildSchema('type Query { a(n: Int): Int b: Int }');
    expect(passed.has(next, key)).toBe(false);
    passed.add(next, passed.keyOf('hash-2', null, undefined)!);
    expect(passed.has(schema, key)).toBe(false);
    expect(passed.has(next, key)).toBe(false);
    expect(passed.size).toBe(1);
  });

  it('does not remember operations without a hash or with large variables, and stays within its bytes', () => {
    const passed = new PassedOperations(1000, 100);
    expect(passed.keyOf(undefined, null, {})).toBeUndefined();
    expect(passed.keyOf('h', null, { t: 'x'.repeat(200) })).toBeUndefined();
    expect(passed.keyOf('h', null, { big: 1n } as unknown as Record<string, unknown>)).toBeUndefined();
    const keys = Array.from({ length: 50 }, (_, i) => passed.keyOf(`hash-${i}`, null, { i })!);
    for (const key of keys) passed.add(schema, key);
    expect(passed.size).toBeLessThan(50);
    expect(passed.has(schema, keys[49]!)).toBe(true);
    expect(passed.has(schema, keys[0]!)).toBe(false);
  });
});

import { withTimeout } from '../../src/resilience/timing';

class Late extends Error {}

describe('withTimeout (the one bound on a wait in platform)', () => {
  it('passes on the outcome of work that settles in time, value or rejection', async () => {
    await expect(withTimeout(Promise.resolve(42), 10_000)).resolves.toBe(42);
    await expect(withTimeout(Promise.reject(new Error('refused')), 10_000)).rejects.toThrow('refused');
  });

  it('rejects with the default error, or the one asked for, when the work never settles', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 5)).rejects.toThrow('no answer within 5 ms');
    await expect(withTimeout(never, 5, () => new Late('late'))).rejects.toBeInstanceOf(Late);
  });

  it('reports a synchronous throw of a work function as a rejection', async () => {
    const work = (): Promise<never> => {
      throw new Error('thrown at once');
    };
    await expect(withTimeout(work, 10_000)).rejects.toThrow('thrown at once');
  });
});

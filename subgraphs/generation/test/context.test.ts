import type { EntityManager } from '@mikro-orm/core';
import type { BaseContext } from '@atrium/platform/server';
import type { GenerationApp } from '../src/app';
import { buildContext } from '../src/context';

describe('the operation context', () => {
  it('forks its entity manager on first use only, also after Apollo copies the context for an operation', () => {
    const forks: object[] = [];
    const app = { fork: () => forks[forks.push({}) - 1] as EntityManager } as unknown as GenerationApp;
    const context = buildContext({ requestId: 'r1' } as unknown as BaseContext, app);
    // What @apollo/server's cloneObject does with the context of every operation.
    const copy = Object.assign(
      Object.create(Object.getPrototypeOf(context) as object),
      context,
    ) as typeof context;
    expect(forks).toHaveLength(0);
    expect((copy as unknown as { requestId: string }).requestId).toBe('r1');
    expect(copy.app).toBe(app);
    const em = copy.em;
    expect(copy.em).toBe(em);
    expect(copy.loaders).toBe(copy.loaders);
    expect(forks).toEqual([em]);
  });
});

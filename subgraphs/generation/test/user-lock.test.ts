import { MemoryLock, type LockHandle } from '@atrium/platform/lock';
import { withUserLock } from '../src/generation-job/user-lock';

/** A MemoryLock that records every acquire attempt, so a test can see whether callers polled it. */
class CountingLock extends MemoryLock {
  attempts = 0;
  override acquire(key: string, ttlMs: number): Promise<LockHandle | null> {
    this.attempts += 1;
    return super.acquire(key, ttlMs);
  }
}

describe('withUserLock', () => {
  it('runs callers of one process one at a time, each taking the shared lock once without polling', async () => {
    const lock = new CountingLock();
    const order: string[] = [];
    let inside = 0;
    let most = 0;
    const work = (name: string) => async () => {
      inside += 1;
      most = Math.max(most, inside);
      order.push(`start ${name}`);
      await new Promise((resolve) => setImmediate(resolve));
      order.push(`end ${name}`);
      inside -= 1;
      return name;
    };
    const results = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((name) => withUserLock(lock, 'generation:user:u1', work(name))),
    );
    expect(results).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(most).toBe(1);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e'].flatMap((name) => [`start ${name}`, `end ${name}`]));
    expect(lock.attempts).toBe(5);
    expect(lock.size).toBe(0);
  });

  it('lets the next caller in after one that threw, and keeps other keys independent', async () => {
    const lock = new CountingLock();
    const failing = withUserLock(lock, 'k1', async () => {
      throw new Error('boom');
    });
    const next = withUserLock(lock, 'k1', async () => 'next');
    const other = withUserLock(lock, 'k2', async () => 'other');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    await expect(other).resolves.toBe('other');
    expect(lock.attempts).toBe(3);
  });

  it('still waits for a holder in another process (the shared lock), polling until it is released', async () => {
    const lock = new CountingLock();
    const elsewhere = await lock.acquire('k', 10_000);
    const waiting = withUserLock(lock, 'k', async () => 'mine', 5_000);
    while (lock.attempts < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await elsewhere!.release();
    await expect(waiting).resolves.toBe('mine');
  });
});

import type { StopSignal } from '@atrium/platform/resilience';
import { InflightDedup } from '../src/subgraph/dedup';

/** A call that settles when told to, recording whether it was aborted. */
function controllable() {
  let resolve!: (value: string) => void;
  const state = { calls: 0, aborted: false };
  const call = (signal: StopSignal) => {
    state.calls++;
    signal.addEventListener('abort', () => (state.aborted = true));
    return new Promise<string>((done) => (resolve = done));
  };
  return { call, state, resolve: (value: string) => resolve(value) };
}

describe('InflightDedup', () => {
  it('runs one call for concurrent callers with the same key and forgets it once settled', async () => {
    const dedup = new InflightDedup<string>();
    const { call, state, resolve } = controllable();
    const first = dedup.run('s', 'k', undefined, call);
    const second = dedup.run('s', 'k', undefined, call);
    const other = dedup.run('s', 'other', undefined, controllable().call);
    expect(state.calls).toBe(1);
    expect(dedup.size).toBe(2);
    resolve('v');
    expect(await first).toEqual({ value: 'v', leader: true });
    expect(await second).toEqual({ value: 'v', leader: false });
    expect(dedup.size).toBe(1);
    void other;
  });

  it('never shares a call across scopes (principals), even for the same key', async () => {
    const dedup = new InflightDedup<string>();
    const alice = controllable();
    const bob = controllable();
    const forAlice = dedup.run('alice', 'k', undefined, alice.call);
    const forBob = dedup.run('bob', 'k', undefined, bob.call);
    expect([alice.state.calls, bob.state.calls]).toEqual([1, 1]);
    expect(dedup.size).toBe(2);
    alice.resolve('a');
    bob.resolve('b');
    expect(await forAlice).toEqual({ value: 'a', leader: true });
    expect(await forBob).toEqual({ value: 'b', leader: true });
    expect(dedup.size).toBe(0);
  });

  it('lets one caller give up without failing the others; aborts the call when every caller has', async () => {
    const dedup = new InflightDedup<string>();
    const { call, state, resolve } = controllable();
    const leaderAbort = new AbortController();
    const followerAbort = new AbortController();
    const leader = dedup.run('s', 'k', leaderAbort.signal, call);
    const follower = dedup.run('s', 'k', followerAbort.signal, call);
    leaderAbort.abort(new Error('client gone'));
    await expect(leader).rejects.toThrow('client gone');
    expect(state.aborted).toBe(false);
    resolve('v');
    expect((await follower).value).toBe('v');

    const again = controllable();
    const a = new AbortController();
    const b = new AbortController();
    const runs = [dedup.run('s', 'k2', a.signal, again.call), dedup.run('s', 'k2', b.signal, again.call)];
    a.abort(new Error('a'));
    b.abort(new Error('b'));
    await expect(runs[0]).rejects.toThrow('a');
    await expect(runs[1]).rejects.toThrow('b');
    expect(again.state.aborted).toBe(true);
    // A new caller after everyone gave up starts a fresh call.
    const fresh = controllable();
    void dedup.run('s', 'k2', undefined, fresh.call);
    expect(fresh.state.calls).toBe(1);
  });
});

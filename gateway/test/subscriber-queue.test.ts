import { SubscriberQueue, type FrameSink } from '../src/subscriptions/subscriber-queue';

function queue(capacity: number) {
  const calls: string[] = [];
  const q = new SubscriberQueue(capacity, {
    onReturn: () => calls.push('return'),
    onClosed: () => calls.push('closed'),
    onDelivered: () => undefined,
    onOverflow: () => calls.push('overflow'),
    onStuck: () => calls.push('stuck'),
  });
  return { q, calls };
}

const event = (n: number) => ({ data: { n } });
const now = () => process.hrtime.bigint();

describe('SubscriberQueue', () => {
  it('delivers in order, refuses past its capacity, and ends after what is queued with the final result', async () => {
    const { q, calls } = queue(2);
    expect(q.push(event(1), now())).toBe(true);
    expect(q.push(event(2), now())).toBe(true);
    expect(q.push(event(3), now())).toBe(false);
    q.end({ errors: [{ message: 'bye', extensions: { code: 'SUBSCRIPTION_SHUTDOWN' } }] });
    expect(q.push(event(4), now())).toBe(false);
    const seen = [];
    for await (const result of q) seen.push(result);
    expect(seen).toEqual([
      event(1),
      event(2),
      { errors: [{ message: 'bye', extensions: { code: 'SUBSCRIPTION_SHUTDOWN' } }] },
    ]);
    expect(calls).toEqual(['closed']);
  });

  it('hands an event straight to a waiting reader and releases it at once on return()', async () => {
    const { q, calls } = queue(1);
    const waiting = q.next();
    q.push(event(1), now());
    expect(await waiting).toEqual({ done: false, value: event(1) });
    const pending = q.next();
    await q.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(calls).toEqual(['return', 'closed']);
  });

  it('resynchronises on overflow, and gives up on a reader that read nothing since the last overflow', async () => {
    const { q, calls } = queue(1);
    q.push(event(1), now());
    q.overflowed();
    expect(calls).toEqual(['overflow']);
    q.push(event(2), now());
    await q.next();
    q.push(event(3), now());
    q.overflowed();
    expect(calls).toEqual(['overflow', 'overflow']);
    q.push(event(4), now());
    q.overflowed();
    expect(calls).toEqual(['overflow', 'overflow', 'stuck']);
  });

  describe('writing its own frames', () => {
    /** A socket that records frames and flushes them when told to (written callbacks in order). */
    function socket() {
      const frames: string[] = [];
      const unflushed: (() => void)[] = [];
      let open = true;
      const sink: FrameSink = {
        send: (frame, written) => {
          if (!open) return false;
          frames.push(frame);
          unflushed.push(written);
          return true;
        },
      };
      return {
        sink,
        frames,
        parsed: () => frames.map((frame) => JSON.parse(frame) as unknown),
        flushAll: () => {
          while (unflushed.length > 0) unflushed.shift()!();
        },
        flushOne: () => unflushed.shift()?.(),
        inFlight: () => unflushed.length,
        close: () => (open = false),
      };
    }
    const next = (id: string, payload: unknown) => ({ id, type: 'next', payload });

    it('writes queued events once graphql-ws iterates, one frame in flight at a time, in order', async () => {
      const { q, calls } = queue(3);
      const s = socket();
      q.push(event(1), now());
      q.writeFramesTo(s.sink, 'op "1"');
      expect(s.frames).toEqual([]);
      const ended = q.next();
      expect(s.parsed()).toEqual([next('op "1"', event(1))]);
      q.push(event(2), now());
      q.push(event(3), now());
      expect(s.inFlight()).toBe(1);
      expect(q.size).toBe(2);
      s.flushOne();
      expect(s.parsed()).toEqual([next('op "1"', event(1)), next('op "1"', event(2))]);
      s.flushAll();
      s.flushAll();
      expect(s.parsed().map((f) => (f as { payload: unknown }).payload)).toEqual([
        event(1),
        event(2),
        event(3),
      ]);
      expect(q.size).toBe(0);
      expect(calls).toEqual([]);
      q.end();
      expect(await ended).toEqual({ done: true, value: undefined });
      expect(calls).toEqual(['closed']);
    });

    it('refuses past its capacity while its socket has not flushed, like the iterator', () => {
      const { q } = queue(2);
      const s = socket();
      q.writeFramesTo(s.sink, '1');
      void q.next();
      expect(q.push(event(1), now())).toBe(true);
      expect(q.push(event(2), now())).toBe(true);
      expect(q.push(event(3), now())).toBe(true);
      expect(q.push(event(4), now())).toBe(false);
      expect(s.frames).toHaveLength(1);
    });

    it('ends only after the final result was written and flushed', async () => {
      const { q, calls } = queue(2);
      const s = socket();
      q.writeFramesTo(s.sink, '1');
      let done = false;
      const ended = q.next().then((result) => {
        done = true;
        return result;
      });
      q.push(event(1), now());
      q.end({ errors: [{ message: 'bye', extensions: { code: 'SUBSCRIPTION_SHUTDOWN' } }] });
      expect(q.push(event(2), now())).toBe(false);
      s.flushOne();
      expect(s.parsed()).toEqual([
        next('1', event(1)),
        next('1', { errors: [{ message: 'bye', extensions: { code: 'SUBSCRIPTION_SHUTDOWN' } }] }),
      ]);
      await Promise.resolve();
      expect(done).toBe(false);
      s.flushOne();
      expect(await ended).toEqual({ done: true, value: undefined });
      expect(calls).toEqual(['closed']);
    });

    it('stops writing when the client stops the subscription', async () => {
      const { q, calls } = queue(2);
      const s = socket();
      q.writeFramesTo(s.sink, '1');
      const ended = q.next();
      q.push(event(1), now());
      q.push(event(2), now());
      await q.return();
      expect(await ended).toEqual({ done: true, value: undefined });
      s.flushAll();
      expect(q.push(event(3), now())).toBe(false);
      expect(s.frames).toHaveLength(1);
      expect(calls).toEqual(['return', 'closed']);
    });

    it('gives up on a client whose socket flushed nothing since the last overflow', () => {
      const { q, calls } = queue(1);
      const s = socket();
      q.writeFramesTo(s.sink, '1');
      void q.next();
      q.push(event(1), now());
      q.push(event(2), now());
      expect(q.push(event(3), now())).toBe(false);
      q.overflowed();
      expect(calls).toEqual(['overflow']);
      q.push(event(4), now());
      expect(q.push(event(5), now())).toBe(false);
      q.overflowed();
      expect(calls).toEqual(['overflow', 'stuck']);
    });

    it('drops what a closed socket cannot take and still ends', async () => {
      const { q, calls } = queue(2);
      const s = socket();
      q.writeFramesTo(s.sink, '1');
      const ended = q.next();
      s.close();
      q.push(event(1), now());
      q.push(event(2), now());
      q.end();
      expect(await ended).toEqual({ done: true, value: undefined });
      expect(s.frames).toEqual([]);
      expect(calls).toEqual(['closed']);
    });
  });
});

import { SubscriberQueue } from '../src/subscriptions/subscriber-queue';

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
});

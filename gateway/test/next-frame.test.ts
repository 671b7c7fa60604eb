import { nextFrame, nextFramePrefix, resultJson } from '../src/subscriptions/next-frame';

/** What graphql-ws itself sends for a result (stringifyMessage). */
const graphqlWsFrame = (id: string, payload: unknown) => JSON.stringify({ id, type: 'next', payload });

describe('next frames built by concatenation', () => {
  const result = {
    data: { ticks: { channel: 'job "a"\n\u2028', n: 1, at: 1764453000123.25, nested: [{ x: null }] } },
    errors: [{ message: 'partial', path: ['ticks', 'x'], extensions: { code: 'FORBIDDEN' } }],
  };

  it.each([
    ['a plain id', '1'],
    ['a uuid', '3f0e1c2a-9b7d-4c52-8a11-0f2d6c1e9a44'],
    ['quotes and backslashes', 'say "hi" \\ bye'],
    ['control characters and line separators', '\n\t\u0000\u001f\u2028\u2029'],
    ['a lone surrogate and non-ASCII', '\ud800 é 漢 😀'],
    ['something that looks like JSON', '","type":"complete","x":"'],
  ])('equals graphql-ws’ JSON.stringify of the message for %s', (_name, id) => {
    const frame = nextFrame(nextFramePrefix(id), result);
    expect(frame).toBe(graphqlWsFrame(id, result));
    expect(JSON.parse(frame)).toEqual({ id, type: 'next', payload: result });
  });

  it('serializes a result once however many subscribers it goes to', () => {
    const shared = { data: { n: 1 } };
    const first = resultJson(shared);
    expect(resultJson(shared)).toBe(first);
    expect(nextFrame(nextFramePrefix('a'), shared)).toBe(graphqlWsFrame('a', shared));
    expect(nextFrame(nextFramePrefix('b'), shared)).toBe(graphqlWsFrame('b', shared));
  });
});

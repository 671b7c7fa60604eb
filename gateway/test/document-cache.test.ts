import { buildSchema, parse } from 'graphql';
import { DocumentCache, type CheckedDocument } from '../src/subscriptions/document-cache';

const schema = buildSchema('type Query { a: Int } type Subscription { ticks: Int }');

function counting(cache: DocumentCache) {
  let checks = 0;
  const get = (query: string, on = schema) =>
    cache.get(on, query, (): CheckedDocument => {
      checks++;
      return { document: parse(query) };
    });
  return { get, checks: () => checks };
}

describe('DocumentCache', () => {
  it('gives every client sending the same text one document, checked once', () => {
    const { get, checks } = counting(new DocumentCache(10));
    const first = get('subscription { ticks }');
    const second = get('subscription { ticks }');
    expect(second.document).toBe(first.document);
    expect(checks()).toBe(1);
    expect(get('subscription { ticks } ').document).not.toBe(first.document);
    expect(checks()).toBe(2);
  });

  it('keeps refusals too', () => {
    const cache = new DocumentCache(2);
    const refused: CheckedDocument = { errors: [], reason: 'parse' };
    expect(cache.get(schema, '{', () => refused)).toBe(refused);
    expect(cache.get(schema, '{', () => ({ document: parse('{ a }') }))).toBe(refused);
  });

  it('forgets the least recently used past its capacity, and starts over on a new schema', () => {
    const { get, checks } = counting(new DocumentCache(2));
    get('{ a }');
    get('subscription { ticks }');
    get('{ a }'); // the most recent now: the subscription is the one forgotten next
    get('query Q { a }');
    expect(checks()).toBe(3);
    get('{ a }');
    expect(checks()).toBe(3);
    get('subscription { ticks }');
    expect(checks()).toBe(4);

    get('{ a }', buildSchema('type Query { a: Int }'));
    expect(checks()).toBe(5);
  });

  it('checks texts over the length bound every time, without keeping them', () => {
    const { get, checks } = counting(new DocumentCache(10, 8));
    get('subscription { ticks }');
    get('subscription { ticks }');
    expect(checks()).toBe(2);
  });
});

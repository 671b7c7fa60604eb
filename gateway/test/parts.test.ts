import { GraphQLError } from 'graphql';
import { BoundedQueryCache } from '../src/apq-cache';
import { adoptSubgraphErrors, formatGatewayError } from '../src/errors';
import { requestBody } from '../src/data-source';
import { clientKey } from '../src/rate-limits';
import { silentLogger } from '@atrium/platform/testing';

describe('clientKey', () => {
  it('counts an IPv6 /64 as one client and a mapped IPv4 as its IPv4 address', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey('10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey(undefined)).toBe('unknown');
  });
});

describe('BoundedQueryCache', () => {
  it('evicts the least recently used entries beyond its size', async () => {
    const cache = new BoundedQueryCache(100);
    await cache.set('a', 'x'.repeat(20));
    await cache.set('b', 'y'.repeat(20));
    expect(await cache.get('a')).toBeDefined();
    await cache.set('c', 'z'.repeat(20));
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBeDefined();
    expect(cache.size).toBeLessThanOrEqual(100);
    await cache.set('huge', 'h'.repeat(1000));
    expect(await cache.get('huge')).toBeUndefined();
  });

  it('expires entries after their ttl', async () => {
    const cache = new BoundedQueryCache(1000);
    await cache.set('a', 'x', { ttl: 0.001 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe('subgraph errors through formatGatewayError', () => {
  const log = silentLogger('gateway');
  const asGateway = (raw: unknown) => {
    const [adopted] = adoptSubgraphErrors([raw])!;
    const error = new GraphQLError(adopted!.message, {
      originalError: adopted as unknown as Error,
      extensions: { ...adopted!.extensions, serviceName: 'generation' },
      path: ['job'],
    });
    return formatGatewayError(
      { message: error.message, path: ['job'], extensions: error.extensions },
      error,
      {
        log,
        requestId: 'req-12345678',
      },
    );
  };

  it('keeps a code only the subgraph defines, drops server-side extensions and locations', () => {
    expect(
      asGateway({
        message: 'The job is already finished',
        locations: [{ line: 1, column: 2 }],
        extensions: { code: 'JOB_FINISHED', stacktrace: ['at x'], exception: {}, jobId: 'j1' },
      }),
    ).toEqual({
      message: 'The job is already finished',
      path: ['job'],
      extensions: { code: 'JOB_FINISHED', jobId: 'j1', requestId: 'req-12345678' },
    });
  });

  it('masks an uncoded or internal subgraph error again, with the gateway request id', () => {
    for (const raw of [
      { message: 'boom at /srv/x.js' },
      { message: 'secret', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ]) {
      expect(asGateway(raw)).toEqual({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-12345678' },
      });
    }
  });
});

describe('requestBody (a subgraph fetch body with the query encoded once)', () => {
  it('is exactly JSON.stringify({ query, variables, operationName }), the first time and every time after', () => {
    const query = 'query Q($id: ID!) { user(id: $id) { id name } } # "quoted" \\ \u2028 é';
    const cases: Array<[unknown, unknown, unknown]> = [
      [query, { id: 'u1', list: [1, null, { a: '\n' }] }, 'Q'],
      [query, undefined, undefined],
      [query, null, null],
      [query, {}, undefined],
      [query, undefined, 'Q'],
      ['', { representations: [{ __typename: 'User', id: 'u1' }] }, undefined],
      [undefined, { a: 1 }, 'Q'],
    ];
    for (let round = 0; round < 2; round++)
      for (const [q, variables, operationName] of cases)
        expect(requestBody(q, variables, operationName)).toBe(
          JSON.stringify({ query: q, variables, operationName }),
        );
  });
});

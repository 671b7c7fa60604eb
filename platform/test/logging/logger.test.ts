import { createLogger, currentRequestId, runWithRequestContext } from '../../src/logging';
import { LogCapture } from '../../src/testing';

function setup(level?: string) {
  const out = new LogCapture();
  const log = createLogger({ service: 'identity', level, pretty: false, destination: out });
  return { out, log };
}

describe('createLogger', () => {
  it('writes JSON lines carrying the service', () => {
    const { out, log } = setup();
    log.info({ userId: 'u1' }, 'signed in');
    expect(out.lines).toEqual([
      expect.objectContaining({ service: 'identity', userId: 'u1', msg: 'signed in', level: 30 }),
    ]);
  });

  it('logs at info and above by default, and honours a configured level', () => {
    const quiet = setup();
    quiet.log.debug('hidden');
    quiet.log.warn('shown');
    expect(quiet.out.lines.map((l) => l.msg)).toEqual(['shown']);

    const verbose = setup('debug');
    verbose.log.debug('now shown');
    expect(verbose.out.lines.map((l) => l.msg)).toEqual(['now shown']);
  });

  it('adds the request id inside a request context, across awaits and in child loggers', async () => {
    const { out, log } = setup();
    log.info('before');
    await runWithRequestContext({ requestId: 'req-12345678' }, async () => {
      log.info('sync');
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.child({ component: 'resolver' }).info('after await');
    });
    log.info('after');
    expect(out.lines.map((l) => [l.msg, l.requestId])).toEqual([
      ['before', undefined],
      ['sync', 'req-12345678'],
      ['after await', 'req-12345678'],
      ['after', undefined],
    ]);
  });

  it('keeps concurrent requests apart', async () => {
    const { out, log } = setup();
    const handle = (id: string, delay: number) =>
      runWithRequestContext({ requestId: id }, async () => {
        await new Promise((resolve) => setTimeout(resolve, delay));
        log.info({ expected: id }, 'done');
        return currentRequestId();
      });
    const results = await Promise.all([handle('request-a-0001', 5), handle('request-b-0002', 1)]);
    expect(results).toEqual(['request-a-0001', 'request-b-0002']);
    for (const line of out.lines) expect(line.requestId).toBe(line.expected);
    expect(currentRequestId()).toBeUndefined();
  });

  it('returns what the wrapped function returns', () => {
    expect(runWithRequestContext({ requestId: 'abcdefgh' }, () => 42)).toBe(42);
  });

  it('prints human-readable lines when pretty', () => {
    const out = new LogCapture();
    const log = createLogger({ service: 'gateway', pretty: true, destination: out });
    log.info({ password: 'pretty-secret-1' }, 'hello there');
    expect(out.text).toContain('hello there');
    expect(out.text).toContain('INFO');
    expect(out.text).not.toContain('pretty-secret-1');
    expect(() => JSON.parse(out.raw[0]!)).toThrow();
  });
});

describe('redaction', () => {
  const SECRETS = {
    authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.secret-jwt',
    cookie: 'session=secret-cookie',
    apiKey: 'atr_live_secret_api_key',
    password: 'hunter2-secret',
    refreshToken: 'secret-refresh-token',
  };

  it('censors credentials in request headers', () => {
    const { out, log } = setup();
    log.info(
      {
        req: {
          method: 'POST',
          url: '/graphql',
          headers: {
            authorization: SECRETS.authorization,
            cookie: SECRETS.cookie,
            'x-api-key': SECRETS.apiKey,
            'user-agent': 'jest',
          },
        },
        res: { headers: { 'set-cookie': SECRETS.cookie } },
      },
      'request',
    );
    const line = out.lines[0]!;
    expect(line.req).toEqual({
      method: 'POST',
      url: '/graphql',
      headers: {
        authorization: '[REDACTED]',
        cookie: '[REDACTED]',
        'x-api-key': '[REDACTED]',
        'user-agent': 'jest',
      },
    });
    expect(line.res).toEqual({ headers: { 'set-cookie': '[REDACTED]' } });
  });

  it('censors credential fields at the top level and nested in inputs and variables', () => {
    const { out, log } = setup();
    log.info(
      {
        password: SECRETS.password,
        input: { email: 'a@example.com', newPassword: SECRETS.password, currentPassword: SECRETS.password },
        variables: { input: { password: SECRETS.password, email: 'a@example.com' } },
        result: { accessToken: SECRETS.refreshToken, refreshToken: SECRETS.refreshToken, user: { id: 'u1' } },
        provider: { clientSecret: SECRETS.apiKey, tokens: { access_token: SECRETS.refreshToken } },
        key: { secret: SECRETS.apiKey, token: SECRETS.apiKey, apiKey: SECRETS.apiKey },
      },
      'sign-up',
    );
    const line = out.lines[0]!;
    for (const value of Object.values(SECRETS)) expect(out.text).not.toContain(value);
    expect(line.input).toEqual({
      email: 'a@example.com',
      newPassword: '[REDACTED]',
      currentPassword: '[REDACTED]',
    });
    expect(line.variables).toEqual({ input: { password: '[REDACTED]', email: 'a@example.com' } });
    expect((line.result as { user: unknown }).user).toEqual({ id: 'u1' });
  });

  it('censors an OAuth authorization code in a callback but keeps error codes', () => {
    const { out, log } = setup();
    const err = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    log.warn({ req: { query: { code: 'oauth-secret-code', state: 's1' } }, err }, 'callback failed');
    const line = out.lines[0]!;
    expect(line.req).toEqual({ query: { code: '[REDACTED]', state: 's1' } });
    expect((line.err as { code: string }).code).toBe('ECONNREFUSED');
    expect(out.text).not.toContain('oauth-secret-code');
  });

  it('censors credentials inside arrays', () => {
    const { out, log } = setup();
    log.info({ users: [{ id: 'u1', password: SECRETS.password }] }, 'batch');
    expect(out.lines[0]!.users).toEqual([{ id: 'u1', password: '[REDACTED]' }]);
  });

  it('censors credentials at any depth, in any letter case, without touching the logged object', () => {
    const { out, log } = setup();
    const input = { a: { b: { c: { d: { e: { Authorization: SECRETS.authorization, keep: 1 } } } } } };
    log.info(input, 'deep');
    expect(out.lines[0]!.a).toEqual({ b: { c: { d: { e: { Authorization: '[REDACTED]', keep: 1 } } } } });
    expect(input.a.b.c.d.e.Authorization).toBe(SECRETS.authorization);
  });

  it('censors credentials in child logger bindings', () => {
    const { out, log } = setup();
    log
      .child({ connectionParams: { authorization: SECRETS.authorization }, userId: 'u1' })
      .info('ws connected');
    expect(out.lines[0]).toMatchObject({ connectionParams: '[REDACTED]', userId: 'u1' });
    expect(out.text).not.toContain('secret-jwt');
  });

  it('serializes errors and censors credentials among their properties', () => {
    const { out, log } = setup();
    const error = Object.assign(new Error('request failed', { cause: new Error('socket hang up') }), {
      status: 401,
      config: { headers: { Authorization: SECRETS.authorization } },
    });
    log.error({ err: error }, 'oauth token exchange failed');
    log.error(error);
    const [withKey, bare] = out.lines;
    for (const line of [withKey, bare]) {
      expect(line!.err).toMatchObject({
        type: 'Error',
        message: 'request failed: socket hang up',
        stack: expect.stringContaining('logger.test.ts'),
        status: 401,
        config: { headers: { Authorization: '[REDACTED]' } },
      });
    }
    expect(bare!.msg).toBe('request failed');
    expect(out.text).not.toContain('secret-jwt');
  });

  it('strips URL credentials from messages, error messages and stacks', () => {
    const { out, log } = setup();
    const url = 'redis://default:R3dis-Pa55@cache.internal:6379/0';
    log.warn({ err: new Error(`connect failed to ${url}`) }, `retrying ${url}`);
    log.error(new Error(`cannot reach ${url}`));
    expect(out.text).not.toContain('R3dis-Pa55');
    expect(out.lines[0]!.msg).toBe('retrying redis://***@cache.internal:6379/0');
    expect(out.lines[1]!.msg).toBe('cannot reach redis://***@cache.internal:6379/0');
    expect(out.text).toContain('cache.internal:6379');
  });

  it('redacts what toJSON exposes and survives cycles', () => {
    const { out, log } = setup();
    class Account {
      constructor(
        readonly id: string,
        private readonly apiKey: string,
      ) {}
      toJSON() {
        return { id: this.id, apiKey: this.apiKey };
      }
    }
    const node: Record<string, unknown> = { name: 'root' };
    node.self = node;
    log.info({ account: new Account('a1', SECRETS.apiKey), node }, 'cyclic');
    expect(out.lines[0]!.account).toEqual({ id: 'a1', apiKey: '[REDACTED]' });
    expect(out.lines[0]!.node).toEqual({ name: 'root', self: '[Circular]' });
    expect(out.text).not.toContain(SECRETS.apiKey);
  });
});

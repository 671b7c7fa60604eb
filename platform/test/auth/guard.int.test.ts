// The subgraphs' assertion guard on a real express server: a reused assertion is recognised without verifying
// it again, but never past its expiry, and only by its exact text.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  ANONYMOUS,
  INTERNAL_ASSERTION_HEADER,
  requireGatewayAssertion,
  signInternalAssertion,
} from '../../src/auth';

const SECRET = 'guard-test-secret-0123456789abcdef0123456789';
const NOW = 1_900_000_000_000;

describe('requireGatewayAssertion', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const app = express();
    app.get('/', requireGatewayAssertion({ secret: SECRET, audience: 'identity' }), (_req, res) => {
      res.json(res.locals.caller);
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => jest.useRealTimers());

  const call = (token: string) => fetch(url, { headers: { [INTERNAL_ASSERTION_HEADER]: token } });

  it('accepts the same assertion again until its expiry, then refuses it', async () => {
    // Only the clock is faked: the server and fetch keep their real timers.
    jest.useFakeTimers({
      now: NOW,
      doNotFake: [
        'nextTick',
        'setImmediate',
        'setTimeout',
        'setInterval',
        'clearTimeout',
        'clearInterval',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
    const principal = { ...ANONYMOUS, kind: 'user' as const, userId: 'alice', roles: ['MEMBER' as const] };
    const token = await signInternalAssertion(principal, {
      secret: SECRET,
      audience: 'identity',
      ttlSeconds: 60,
    });
    const first = await call(token);
    expect(first.status).toBe(200);
    expect(((await first.json()) as { principal: { userId: string } }).principal.userId).toBe('alice');
    jest.setSystemTime(NOW + 59_000);
    expect((await call(token)).status).toBe(200);
    // Past exp and the verifier's 5 s clock tolerance: refused, whether remembered or not.
    jest.setSystemTime(NOW + 66_000);
    expect((await call(token)).status).toBe(401);
  });

  it('recognises only the exact text: a changed signature or another audience is verified and refused', async () => {
    const token = await signInternalAssertion(ANONYMOUS, { secret: SECRET, audience: 'identity' });
    expect((await call(token)).status).toBe(200);
    const tampered = `${token.slice(0, -2)}${token.endsWith('A') ? 'BB' : 'AA'}`;
    expect((await call(tampered)).status).toBe(401);
    const elsewhere = await signInternalAssertion(ANONYMOUS, { secret: SECRET, audience: 'generation' });
    expect((await call(elsewhere)).status).toBe(401);
  });
});

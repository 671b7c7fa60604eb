// A small graph for the subscription-engine suites: `generation` here is a "ticker" subgraph whose
// subscription the test drives event by event (snapshot first, like every Atrium upstream), and `identity`
// resolves `Tick.by { name }` per event — so each event needs the engine's `rest` step.
import { UnsecuredJWT } from 'jose';
import type { Authenticator } from '@atrium/gateway/auth';
import { ANONYMOUS, type Principal } from '@atrium/platform/auth';
import { errors } from '@atrium/platform/errors';
import type { BaseContext } from '@atrium/platform/server';
import { FEDERATION_LINK, startTinySubgraph, type TinySubgraph } from './gateway-harness';

export const TICKER_SDL = `${FEDERATION_LINK}
type Query { channelValue(channel: String!): Int }
type Subscription { ticks(channel: String!): Tick! }
type Tick { channel: String! n: Int! by: User }
type User @key(fields: "id", resolvable: false) { id: ID! }`;

/** Channels the test publishes on; counts live listeners so a test can see an upstream being released. */
export class Channels {
  private readonly values = new Map<string, number>();
  private readonly listeners = new Map<string, Set<(n: number) => void>>();

  publish(channel: string, n: number): void {
    this.values.set(channel, n);
    for (const listener of this.listeners.get(channel) ?? []) listener(n);
  }

  value(channel: string): number {
    return this.values.get(channel) ?? 0;
  }

  listenerCount(channel?: string): number {
    if (channel) return this.listeners.get(channel)?.size ?? 0;
    let total = 0;
    for (const set of this.listeners.values()) total += set.size;
    return total;
  }

  /** The current value first (the snapshot), then every published one; `return()` unsubscribes at once. */
  iterate(channel: string): AsyncIterableIterator<number> {
    const queue: number[] = [this.value(channel)];
    let wake: (() => void) | undefined;
    let done = false;
    const listener = (n: number) => {
      queue.push(n);
      wake?.();
    };
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    const stop = () => {
      done = true;
      set.delete(listener);
      wake?.();
    };
    const iterator: AsyncIterableIterator<number> = {
      next: async () => {
        while (!done && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (queue.length > 0) return { done: false, value: queue.shift()! };
        return { done: true, value: undefined };
      },
      return: async () => {
        stop();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}

export function startTicker(channels: Channels): Promise<TinySubgraph> {
  return startTinySubgraph({
    name: 'generation',
    typeDefs: TICKER_SDL,
    resolvers: {
      Query: { channelValue: (_: unknown, { channel }: { channel: string }) => channels.value(channel) },
      Subscription: {
        ticks: {
          subscribe: (_: unknown, { channel }: { channel: string }, context: BaseContext) => {
            if (context.principal.kind === 'anonymous') throw errors.UNAUTHENTICATED('Sign in');
            if (channel.startsWith('private-') && channel !== `private-${context.principal.userId}`)
              throw errors.FORBIDDEN('Not your channel');
            return channels.iterate(channel);
          },
          resolve: (n: number, { channel }: { channel: string }, context: BaseContext) => ({
            channel,
            n,
            by: context.principal.userId ? { id: context.principal.userId } : null,
          }),
        },
      },
    },
  });
}

/**
 * Accepts unsigned JWTs whose `sub` is the user (signature checks are the JWT verifier's suite; here only
 * `exp` matters, which the engine reads from the token it was given). `atr_<user>` acts as an API key.
 */
export function testAuthenticator(revokedKeys: Set<string> = new Set()): Authenticator {
  return {
    authenticate: async (headers) => {
      const value = (headers.authorization as string | undefined)?.replace(/^Bearer /, '');
      if (!value) return ANONYMOUS;
      if (value.startsWith('atr_')) {
        if (revokedKeys.has(value)) throw errors.UNAUTHENTICATED('Invalid API key');
        const userId = value.slice('atr_'.length);
        return principal(userId, { kind: 'apiKey', apiKeyId: `k-${userId}` });
      }
      let claims;
      try {
        claims = UnsecuredJWT.decode(value, {});
      } catch {
        throw errors.UNAUTHENTICATED('Invalid access token');
      }
      return principal(String(claims.payload.sub));
    },
    close: async () => undefined,
  };
}

function principal(userId: string, overrides: Partial<Principal> = {}): Principal {
  return {
    kind: 'user',
    userId,
    roles: ['MEMBER'],
    scopes: [],
    sessionId: `s-${userId}`,
    apiKeyId: null,
    ...overrides,
  };
}

/** An access token for `userId` expiring in `seconds` (the tests' authenticator trusts it). */
export function accessToken(userId: string, seconds = 600): string {
  return `Bearer ${new UnsecuredJWT({ sub: userId })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + seconds)
    .encode()}`;
}

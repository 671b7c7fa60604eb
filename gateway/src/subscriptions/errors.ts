import type { GraphQLFormattedError } from 'graphql';
import { defineErrorCodes } from '@atrium/platform/errors';

/** Codes only the gateway's subscription engine returns (the SUBSCRIPTION_* lifecycle codes live in platform). */
export const subscriptionErrors = defineErrorCodes({
  SUBSCRIPTION_REQUIRES_WEBSOCKET: {
    description:
      'A subscription was sent over HTTP. Subscriptions are served over graphql-ws (the `graphql-transport-ws` ' +
      'protocol) at the same `/graphql` URL.',
    httpStatus: 400,
  },
  SUBSCRIPTION_SLOW_CONSUMER: {
    description:
      'The client stopped reading: its queue overflowed twice without it reading an event in between. The ' +
      'subscription has ended; subscribe again to resume from a fresh snapshot.',
  },
  SUBSCRIPTION_SHUTDOWN: {
    description:
      'The gateway is shutting down; the subscription has ended. Reconnect: another replica (or the restarted ' +
      'gateway) serves it again, starting from a fresh snapshot.',
  },
});

/** A lifecycle error as a subscriber receives it (a `next` with this error, then `complete`). */
export function lifecycleError(
  code:
    | 'SUBSCRIPTION_JWT_EXPIRED'
    | 'SUBSCRIPTION_SCHEMA_RELOAD'
    | 'SUBSCRIPTION_SHUTDOWN'
    | 'SUBSCRIPTION_UPSTREAM_ERROR'
    | 'UNAUTHENTICATED',
  message: string,
  requestId?: string,
): GraphQLFormattedError {
  return { message, extensions: { code, ...(requestId ? { requestId } : {}) } };
}

import type { ApolloServerPlugin } from '@apollo/server';
import { withHttpStatus } from '../errors';
import { subscriptionErrors } from './errors';

/**
 * A subscription sent by HTTP POST or GET gets 400 SUBSCRIPTION_REQUIRES_WEBSOCKET naming the endpoint, before
 * @apollo/gateway (which cannot execute one, and would answer 500) sees it.
 */
export function refuseSubscriptionsOverHttp(path: string): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw withHttpStatus(
            subscriptionErrors.SUBSCRIPTION_REQUIRES_WEBSOCKET(
              `Subscriptions are served over WebSocket (graphql-ws, subprotocol graphql-transport-ws) at ${path}`,
              { endpoint: path, protocol: 'graphql-transport-ws' },
            ),
            400,
          );
        },
      };
    },
  };
}

import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import { INTERNAL_ASSERTION_HEADER, signInternalAssertion } from '@atrium/platform/auth';
import { errors } from '@atrium/platform/errors';
import type { GatewayContext } from './context';

/**
 * Calls one subgraph on behalf of one client request. The principal travels only as a fresh internal assertion
 * whose audience is this subgraph; the outgoing headers are built here from nothing, so no client header (a
 * forged assertion, tracing headers) ever reaches a subgraph. Transport failures become SUBGRAPH_UNAVAILABLE
 * without the subgraph's URL, host or body: stock @apollo/gateway would put the URL in the message.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraphName: string,
    url: string,
    private readonly internalSecret: string,
  ) {
    super({ url });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const headers = request.http!.headers;
    const assertion = await signInternalAssertion(context.principal, {
      secret: this.internalSecret,
      audience: this.subgraphName,
      requestId: context.requestId,
    });
    headers.set(INTERNAL_ASSERTION_HEADER, assertion);
    if (context.requestId) headers.set('x-request-id', context.requestId);
  }

  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      options.context.log?.warn({ subgraph: this.subgraphName, err: error }, 'subgraph call failed');
      if (error instanceof GraphQLError && isCodedByUs(error)) throw error;
      throw errors.SUBGRAPH_UNAVAILABLE(`The ${this.subgraphName} service is unavailable`, {
        service: this.subgraphName,
      });
    }
  }

  override async errorFromResponse(): Promise<GraphQLError> {
    return errors.SUBGRAPH_UNAVAILABLE(`The ${this.subgraphName} service is unavailable`, {
      service: this.subgraphName,
    });
  }
}

function isCodedByUs(error: GraphQLError): boolean {
  return error.extensions?.code === 'SUBGRAPH_UNAVAILABLE' || error.extensions?.code === 'GATEWAY_TIMEOUT';
}

/** The gateway that served this page: HTTP and graphql-ws share its `/graphql` path. */
export const GRAPHQL_HTTP_URL = '/graphql';

export function graphqlWsUrl(location: Location = window.location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
}

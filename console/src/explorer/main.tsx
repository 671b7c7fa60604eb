import './style-nonce';
import './monaco-workers';
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import { createExplorerFetcher } from './fetcher';

const DEFAULT_QUERY = `# Atrium's GraphQL explorer.
# Queries and mutations go over HTTP,
# subscriptions over graphql-ws.
#
# To act as a user or an integrator, set in Headers:
#   { "Authorization": "Bearer <token or API key>" }
# It is sent in connection_init for subscriptions too,
# and kept in this tab only (never stored).
# Docs: the book icon on the left. Console: /console

query Providers {
  integrationProviders {
    id
    name
    configured
  }
  modelProviders {
    id
    kind
    circuitState
  }
}
`;

const container = document.getElementById('explorer');
if (!container) throw new Error('#explorer is missing from the page');
createRoot(container).render(
  <GraphiQL
    fetcher={createExplorerFetcher()}
    defaultQuery={DEFAULT_QUERY}
    shouldPersistHeaders={false}
    defaultEditorToolsVisibility="headers"
  />,
);

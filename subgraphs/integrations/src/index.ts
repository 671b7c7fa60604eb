export { buildIntegrationsSchema } from './schema';
export { createIntegrationsServer, SUBGRAPH_NAME } from './server';
export { loadIntegrationsConfig, type IntegrationsConfig } from './config';
export { rules, permissions } from './permissions';

export { buildIntegrationsSchema } from './schema';
export {
  createIntegrationsServer,
  integrationsSubgraph,
  SUBGRAPH_NAME,
  type IntegrationsServer,
} from './server';
export { createIntegrationsApp, type IntegrationsApp } from './app';
export { loadIntegrationsConfig, type IntegrationsConfig } from './config';
export { rules, permissions } from './permissions';

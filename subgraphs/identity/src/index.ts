export { buildIdentitySchema } from './schema';
export { createIdentityServer, SUBGRAPH_NAME } from './server';
export { loadIdentityConfig, type IdentityConfig } from './config';
export { rules, permissions } from './permissions';

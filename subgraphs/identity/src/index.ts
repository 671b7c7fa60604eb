export { buildIdentitySchema } from './schema';
export { createIdentityServer, SUBGRAPH_NAME, JWKS_PATH, type IdentityServer } from './server';
export { loadIdentityConfig, type IdentityConfig } from './config';
export { rules, permissions } from './permissions';

export { buildIdentitySchema } from './schema';
export {
  createIdentityServer,
  identitySubgraph,
  SUBGRAPH_NAME,
  JWKS_PATH,
  type IdentityServer,
} from './server';
export { createIdentityApp, type IdentityApp, type Clock } from './app';
export { loadIdentityConfig, type IdentityConfig } from './config';
export { rules, permissions } from './permissions';

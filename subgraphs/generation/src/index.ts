export { buildGenerationSchema } from './schema';
export { createGenerationServer, SUBGRAPH_NAME } from './server';
export { loadGenerationConfig, type GenerationConfig } from './config';
export { rules, permissions } from './permissions';

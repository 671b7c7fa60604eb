export { buildGenerationSchema } from './schema';
export { createGenerationServer, SUBGRAPH_NAME, type GenerationServer } from './server';
export { createGenerationWorker, type GenerationWorker } from './worker/worker-server';
export { createGenerationApp, type GenerationApp } from './app';
export { loadGenerationConfig, type GenerationConfig } from './config';
export { rules, permissions } from './permissions';

import 'reflect-metadata';
import { createLogger } from '@atrium/platform/logging';
import { configOrExit, runService } from '@atrium/platform/server';
import { loadIntegrationsConfig } from './config';
import { createIntegrationsServer, SUBGRAPH_NAME } from './server';

const config = configOrExit(() => loadIntegrationsConfig(process.env));
const log = createLogger({ service: SUBGRAPH_NAME, level: config.logLevel });
runService(log, async () => {
  const server = await createIntegrationsServer({ config, log });
  const { url } = await server.listen(config.port, config.host);
  return { url, stop: () => server.stop() };
});

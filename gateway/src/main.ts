import { createLogger } from '@atrium/platform/logging';
import { configOrExit, packageVersion, runService } from '@atrium/platform/server';
import { loadGatewayConfig } from './config';
import { createGatewayServer } from './server';
import { readSupergraph } from './supergraph';

const config = configOrExit(() => loadGatewayConfig(process.env));
const log = createLogger({ service: 'gateway', level: config.logLevel });
runService(log, async () => {
  const server = await createGatewayServer({
    config,
    supergraphSdl: readSupergraph(config.supergraphPath),
    log,
    version: packageVersion(__dirname),
  });
  const { url } = await server.listen(config.port, config.host);
  return { url, stop: () => server.stop() };
});

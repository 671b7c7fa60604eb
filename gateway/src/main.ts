import { withDevelopmentSecret } from '@atrium/platform/config';
import { createLogger } from '@atrium/platform/logging';
import { configOrExit, packageVersion, runService } from '@atrium/platform/server';
import { loadGatewayConfig } from './config';
import { createGatewayServer } from './server';
import { readSupergraph } from './supergraph';
import { reloadSupergraphOnSighup } from './supergraph-reload';

const config = configOrExit(() => loadGatewayConfig(withDevelopmentSecret(process.env)));
const log = createLogger({ service: 'gateway', level: config.logLevel });
runService(
  log,
  async () => {
    const server = await createGatewayServer({
      config,
      supergraphSdl: readSupergraph(config.supergraphPath),
      log,
      version: packageVersion(__dirname),
    });
    // SIGHUP: serve the supergraph file again (a bad file is logged and the current supergraph kept).
    reloadSupergraphOnSighup({ server, path: config.supergraphPath, log });
    return server;
  },
  config,
);

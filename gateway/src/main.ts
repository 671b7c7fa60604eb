import { withDevelopmentSecret } from '@atrium/platform/config';
import { createLogger } from '@atrium/platform/logging';
import { configOrExit, packageVersion, runService } from '@atrium/platform/server';
import { loadGatewayConfig } from './config';
import { createGatewayServer } from './server';
import { readSupergraph } from './supergraph';

const config = configOrExit(() => loadGatewayConfig(withDevelopmentSecret(process.env)));
const log = createLogger({ service: 'gateway', level: config.logLevel });
runService(
  log,
  () =>
    createGatewayServer({
      config,
      supergraphSdl: readSupergraph(config.supergraphPath),
      log,
      version: packageVersion(__dirname),
    }),
  config,
);

import 'reflect-metadata';
import { withDevelopmentSecret } from '@atrium/platform/config';
import { createLogger } from '@atrium/platform/logging';
import { configOrExit, runService } from '@atrium/platform/server';
import { INTEGRATIONS_ENCRYPTION_DEVELOPMENT_KEYS, loadIntegrationsConfig } from './config';
import { rotateKeys } from './credentials/rotate-keys';
import { createIntegrationsServer, SUBGRAPH_NAME } from './server';

const config = configOrExit(() =>
  loadIntegrationsConfig(withDevelopmentSecret(process.env, INTEGRATIONS_ENCRYPTION_DEVELOPMENT_KEYS)),
);
const log = createLogger({ service: SUBGRAPH_NAME, level: config.logLevel });

if (process.argv[2] === 'rotate-keys') {
  rotateKeys(config, log).then(
    () => process.exit(0),
    (error: unknown) => {
      log.error({ err: error }, 'key rotation failed');
      process.exit(1);
    },
  );
} else {
  runService(log, () => createIntegrationsServer({ config, log }), config);
}

import 'reflect-metadata';
import { withDevelopmentSecret } from '@atrium/platform/config';
import { createLogger } from '@atrium/platform/logging';
import { configOrExit, runService } from '@atrium/platform/server';
import { IDENTITY_ENCRYPTION_DEVELOPMENT_KEY, loadIdentityConfig } from './config';
import { createIdentityServer, SUBGRAPH_NAME } from './server';

const config = configOrExit(() =>
  loadIdentityConfig(withDevelopmentSecret(process.env, IDENTITY_ENCRYPTION_DEVELOPMENT_KEY)),
);
const log = createLogger({ service: SUBGRAPH_NAME, level: config.logLevel });
runService(log, () => createIdentityServer({ config, log }), config);

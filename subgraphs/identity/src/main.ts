import 'reflect-metadata';
import { withDevelopmentSecret } from '@atrium/platform/config';
import { createLogger } from '@atrium/platform/logging';
import { configOrExit, runService } from '@atrium/platform/server';
import { loadIdentityConfig } from './config';
import { createIdentityServer, SUBGRAPH_NAME } from './server';

const config = configOrExit(() => loadIdentityConfig(withDevelopmentSecret(process.env)));
const log = createLogger({ service: SUBGRAPH_NAME, level: config.logLevel });
runService(log, () => createIdentityServer({ config, log }), config);

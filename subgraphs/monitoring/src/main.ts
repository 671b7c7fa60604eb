import 'reflect-metadata';
import { withDevelopmentSecret } from '@atrium/platform/config';
import { createLogger } from '@atrium/platform/logging';
import { configOrExit, runService } from '@atrium/platform/server';
import { loadMonitoringConfig } from './config';
import { createMonitoringServer, SUBGRAPH_NAME } from './server';

const config = configOrExit(() => loadMonitoringConfig(withDevelopmentSecret(process.env)));
const log = createLogger({ service: SUBGRAPH_NAME, level: config.logLevel });
runService(log, () => createMonitoringServer({ config, log }), config);

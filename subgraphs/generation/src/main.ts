import 'reflect-metadata';
import { withDevelopmentSecret } from '@atrium/platform/config';
import { createLogger } from '@atrium/platform/logging';
import { configOrExit, runService } from '@atrium/platform/server';
import { loadGenerationConfig } from './config';
import { createGenerationServer, SUBGRAPH_NAME } from './server';

const config = configOrExit(() => loadGenerationConfig(withDevelopmentSecret(process.env)));
const log = createLogger({ service: SUBGRAPH_NAME, level: config.logLevel });
runService(log, () => createGenerationServer({ config, log }), config);

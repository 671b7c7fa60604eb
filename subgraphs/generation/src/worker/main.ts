import 'reflect-metadata';
import { withDevelopmentSecret } from '@atrium/platform/config';
import { createLogger } from '@atrium/platform/logging';
import { configOrExit, runService } from '@atrium/platform/server';
import { loadGenerationConfig } from '../config';
import { createGenerationWorker, WORKER_NAME } from './worker-server';

const config = configOrExit(() => loadGenerationConfig(withDevelopmentSecret(process.env)));
const log = createLogger({ service: WORKER_NAME, level: config.logLevel });
runService(log, () => createGenerationWorker({ config, log }), {
  port: config.workerPort,
  host: config.host,
});

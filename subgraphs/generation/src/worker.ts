import 'reflect-metadata';
import { createLogger } from '@atrium/platform/logging';
import { configOrExit, runService } from '@atrium/platform/server';
import { loadGenerationConfig } from './config';
import { createGenerationWorker } from './worker-process';

const config = configOrExit(() => loadGenerationConfig(process.env));
const log = createLogger({ service: 'generation-worker', level: config.logLevel });
runService(log, async () => {
  const worker = await createGenerationWorker({ config, log });
  const { url } = await worker.listen(config.workerPort, config.host);
  return { url, stop: () => worker.stop() };
});

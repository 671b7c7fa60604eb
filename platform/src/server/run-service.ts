import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logging';
import type { Listening } from './http-shell';

/** A started process before it listens: every server the platform builds (gateway, subgraph, worker). */
export interface Service {
  listen(port: number, host?: string): Promise<Listening>;
  stop(): Promise<void>;
}

/**
 * The tail of every main.ts: start, listen at the configured port and host, log where, and stop cleanly on
 * SIGTERM/SIGINT (readiness false, drain, exit 0). A second signal exits at once, for an operator who does not
 * want to wait. A start or listen failure stops what was started and exits 1. Every exit writes the log lines
 * still buffered (the logger's destination flushes on process exit).
 */
export function runService(
  log: Logger,
  start: () => Promise<Service>,
  at: { port: number; host: string },
): void {
  listenOn(start, at).then(
    ({ url, stop }) => {
      log.info({ url }, 'ready');
      // Lifecycle lines are written at once rather than with the next batch (platform/logging buffers info lines).
      log.flush();
      let stopping = false;
      const shutdown = (signal: NodeJS.Signals) => {
        if (stopping) process.exit(1);
        stopping = true;
        log.info({ signal }, 'shutting down');
        log.flush();
        stop().then(
          () => process.exit(0),
          (error: unknown) => {
            log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', shutdown);
      process.on('SIGINT', shutdown);
    },
    (error: unknown) => {
      log.fatal({ err: error }, 'failed to start');
      process.exit(1);
    },
  );
}

async function listenOn(
  start: () => Promise<Service>,
  at: { port: number; host: string },
): Promise<{ url: string; stop(): Promise<void> }> {
  const service = await start();
  try {
    const { url } = await service.listen(at.port, at.host);
    return { url, stop: () => service.stop() };
  } catch (error) {
    await service.stop();
    throw error;
  }
}

/** Loads config or exits with the one message listing every bad variable (no stack trace: it is not a bug). */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

/** The version in the package.json one level above a package's `src/` or `dist/` folder (for health reports). */
export function packageVersion(moduleDir: string): string {
  try {
    return (
      (JSON.parse(readFileSync(join(moduleDir, '..', 'package.json'), 'utf8')) as { version?: string })
        .version ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

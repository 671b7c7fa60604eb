import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from '../logging';

/**
 * Every line a logger wrote, kept in memory, so a test can look for an expected entry or make sure a secret never
 * reached a log. `log` writes here (JSON lines, level `debug` unless told); pass the capture itself as a
 * `destination` to test a logger built another way.
 */
export class LogCapture implements DestinationStream {
  readonly raw: string[] = [];
  readonly log: Logger;

  constructor(service = 'test', options: { level?: string } = {}) {
    this.log = createLogger({ service, level: options.level ?? 'debug', pretty: false, destination: this });
  }

  write(line: string): void {
    this.raw.push(String(line));
  }

  /** Every line, parsed. */
  get lines(): Array<Record<string, unknown>> {
    return this.raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Everything written, as one string to search. */
  get text(): string {
    return this.raw.join('');
  }
}

/** A logger that writes nothing, for tests that do not look at logs. */
export function silentLogger(service = 'test'): Logger {
  return createLogger({ service, level: 'silent', pretty: false });
}

import pino, { type Logger } from 'pino';

/** The logger components use when none is given: silent, so libraries never write to stdout on their own. */
export function silentLogger(): Logger {
  return pino({ enabled: false });
}

import { hostname } from 'node:os';
import pino, { type DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { bufferedStdout } from './buffered-destination';
import { currentRequestContext } from './context';
import { redactLine } from './redact';
import { stripUrlCredentials } from './sanitize';
import { serializeError } from './serialize-error';

export {
  currentRequestContext,
  currentRequestId,
  incomingContext,
  requestContextOf,
  requestIdMiddleware,
  runWithRequestContext,
  traceHeaders,
  traceIdOf,
  type RequestContext,
} from './context';
export { BufferedDestination, bufferedStdout, type BufferedDestinationOptions } from './buffered-destination';
export { REDACT_CENSOR, REDACTED_KEYS, redactLine, redactSensitive } from './redact';
export { safeMessage, stripUrlCredentials } from './sanitize';
export { serializeError, stripSqlValues } from './serialize-error';

export type Logger = import('pino').Logger;

export interface LoggerOptions {
  /** Service name carried by every line (`service`). */
  service: string;
  /** Minimum level: trace, debug, info, warn, error, fatal or silent. Default 'info'. */
  level?: string;
  /**
   * Human-readable lines through pino-pretty instead of JSON. Default: `process.stdout.isTTY`, so a terminal gets
   * pretty lines and a container log collector gets JSON.
   */
  pretty?: boolean;
  /**
   * Where lines go (tests pass an in-memory stream). Default: stdout through the process's one
   * `BufferedDestination` for JSON lines — info and below are written in batches at most 100 ms late, warnings and
   * errors at once, everything on exit — and directly for pretty lines.
   */
  destination?: DestinationStream;
}

/**
 * A pino logger whose every line carries `service` and, inside a request, `requestId`. Before a line is written,
 * the value of every credential key (REDACTED_KEYS, at any depth, in child bindings and in errors' properties) is
 * replaced by '[REDACTED]', and URL credentials anywhere in the line (messages, stacks) by `***`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const usePretty = options.pretty ?? process.stdout.isTTY === true;
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service, pid: process.pid, hostname: hostname() },
      mixin: requestIdMixin,
      // Driver errors lose the properties that carry a row's values (see serializeError).
      serializers: { err: serializeError, error: serializeError },
      hooks: { streamWrite: (line) => stripUrlCredentials(redactLine(line)) },
    },
    usePretty ? prettyStream(options.destination) : (options.destination ?? bufferedStdout()),
  );
}

function requestIdMixin(): Record<string, unknown> {
  const context = currentRequestContext();
  if (context === undefined) return {};
  return context.traceId && context.traceId !== context.requestId
    ? { requestId: context.requestId, traceId: context.traceId }
    : { requestId: context.requestId };
}

// Formatting happens synchronously in-process rather than in pino-pretty's worker-thread transport, so the last
// lines before a crash are never lost and tests have no thread to close. Pretty output is for terminals, where its
// cost does not matter.
function prettyStream(destination: DestinationStream | undefined): DestinationStream {
  const format = prettyFactory({
    colorize: destination === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
  const target = destination ?? process.stdout;
  return { write: (line: string) => void target.write(format(line)) };
}

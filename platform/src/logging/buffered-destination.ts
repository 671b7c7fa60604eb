import { writeSync } from 'node:fs';
import pino, { type DestinationStream } from 'pino';

export interface BufferedDestinationOptions {
  /** File descriptor written to. Default 1 (stdout). */
  fd?: number;
  /** Buffered characters that trigger a write at once. Default 16 KiB. */
  maxBufferedChars?: number;
  /** Longest time a line waits in the buffer before it is written. Default 100 ms. */
  flushMs?: number;
  /** Lines at this pino level or above are written at once with whatever is buffered. Default 40 (warn). */
  immediateLevel?: number;
}

const EAGAIN_WAIT_MS = 10;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * A pino destination that gathers JSON lines and writes them with one synchronous write(2) per batch: when
 * `maxBufferedChars` are buffered, `flushMs` after the first buffered line (an unref'd timer: it never keeps the
 * process alive), at once for warnings and errors, and on `flushSync()`. One synchronous write per line cost
 * 3.3–3.5 µs of CPU per info line, batches 1.3–1.6 µs (measured to a pipe); staying synchronous (no worker, no
 * thread pool) means a flush on exit is a plain write that cannot be lost.
 *
 * Every batch is written completely, in order; a full non-blocking pipe (EAGAIN) is waited out as pino's own
 * sonic-boom does. A closed reader (EPIPE) ends logging rather than crashing the process.
 */
export class BufferedDestination implements DestinationStream {
  /** pino sets `lastLevel` before each write when this is true. */
  readonly [pino.symbols.needsMetadataGsym] = true;
  lastLevel = 0;
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly fd: number;
  private readonly maxBufferedChars: number;
  private readonly flushMs: number;
  private readonly immediateLevel: number;

  constructor(options: BufferedDestinationOptions = {}) {
    this.fd = options.fd ?? 1;
    this.maxBufferedChars = options.maxBufferedChars ?? 16 * 1024;
    this.flushMs = options.flushMs ?? 100;
    this.immediateLevel = options.immediateLevel ?? 40;
  }

  write(line: string): void {
    if (this.closed) return;
    this.pending += line;
    if (this.lastLevel >= this.immediateLevel || this.pending.length >= this.maxBufferedChars)
      this.flushSync();
    else this.timer ??= setTimeout(this.onTimer, this.flushMs).unref();
  }

  /** Writes everything buffered now (exit, fatal paths, the stop sequence). Safe to call at any time. */
  flushSync(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending === '' || this.closed) return;
    const data = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    let offset = 0;
    while (offset < data.length) {
      try {
        offset += writeSync(this.fd, data, offset);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') Atomics.wait(sleepCell, 0, 0, EAGAIN_WAIT_MS);
        else if (code === 'EPIPE') {
          this.closed = true;
          return;
        } else throw error;
      }
    }
  }

  /** pino's `logger.flush(cb)` lands here. */
  flush(cb?: (error?: Error) => void): void {
    this.flushSync();
    cb?.();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.flushSync();
  };
}

let stdout: BufferedDestination | undefined;

/**
 * The process's one buffered stdout, shared by every logger that writes there so their lines stay in order. Its
 * buffer is written synchronously when the process exits (`process.exit`, the end of the event loop, an uncaught
 * exception), so nothing a controlled exit path logged is lost.
 */
export function bufferedStdout(): BufferedDestination {
  if (stdout === undefined) {
    const destination = new BufferedDestination();
    process.on('exit', () => destination.flushSync());
    stdout = destination;
  }
  return stdout;
}

import type { DestinationStream } from 'pino';

/** An in-memory pino destination: every written line, parsed. */
export class MemoryLog implements DestinationStream {
  readonly raw: string[] = [];

  write(line: string): void {
    this.raw.push(line);
  }

  get lines(): Array<Record<string, unknown>> {
    return this.raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  get text(): string {
    return this.raw.join('');
  }
}

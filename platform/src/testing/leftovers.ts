import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Everything a test creates that must be released (servers, connections, databases) goes on a leftovers list,
 * released in reverse order in `afterEach`/`afterAll`, so one failing test cannot keep the process alive.
 */
export class Leftovers {
  private readonly disposers: Array<() => unknown> = [];

  add<T>(resource: T, dispose: (resource: T) => unknown): T {
    this.disposers.push(() => dispose(resource));
    return resource;
  }

  defer(dispose: () => unknown): void {
    this.disposers.push(dispose);
  }

  /** A fresh directory under the OS's temporary directory, removed with everything else. */
  tempDir(prefix: string): string {
    return this.add(mkdtempSync(join(tmpdir(), prefix)), (dir) =>
      rmSync(dir, { recursive: true, force: true }),
    );
  }

  async dispose(): Promise<void> {
    const errors: unknown[] = [];
    while (this.disposers.length > 0) {
      const next = this.disposers.pop()!;
      try {
        await next();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} leftover(s) failed to dispose`);
  }
}

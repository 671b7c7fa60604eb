import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './gateway/processes';

/** The few calls the benches make on a PostgreSQL connection (reading pg_stat_activity, backend pids). */
export interface PgClient {
  connect(): Promise<void>;
  query<R>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
}

// pg is the platform's dependency, not the bench's: loaded from there.
export const { Client: PgClient } = createRequire(join(ROOT, 'platform/package.json'))('pg') as {
  Client: new (options: { connectionString: string }) => PgClient;
};

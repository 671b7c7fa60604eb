// Where the whole machine's CPU goes during a load run: every process of the stack, the load client itself, the
// PostgreSQL backends serving the run's databases and the Redis server. Read from /proc (utime + stime), so it
// counts what each process burnt whatever the other helpers' load does to latency.
import { readdirSync, readFileSync } from 'node:fs';
import type { Service } from '../gateway/processes';
import { PgClient } from '../pg';

// Linux reports process CPU in clock ticks of 1/100 s.
const TICKS_PER_SECOND = 100;

/** CPU seconds used so far: by name (processes of the stack, client, redis) and by PostgreSQL backend pid. */
export interface CpuSnapshot {
  byName: Record<string, number>;
  postgres: Map<number, number>;
}

function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Pids whose command name is `comm` (the Redis server is shared by every helper; it is one process). */
function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // gone in between
    }
  }
  return pids;
}

/**
 * A sampler of the machine's CPU for one run. `databasePrefix` selects the run's PostgreSQL databases (the bench
 * stack names them `test_<label>_<service>_…`); their backends live as long as the services' pools, so a backend
 * seen only in the later snapshot counts whole.
 */
export function machineCpu(processes: Record<string, Service>, adminUrl: string, databasePrefix: string) {
  const redis = pidsNamed('redis-server');
  return {
    async snapshot(): Promise<CpuSnapshot> {
      const byName: Record<string, number> = {};
      for (const [name, p] of Object.entries(processes)) byName[name] = p.cpuSeconds();
      const own = process.cpuUsage();
      byName['load-client'] = (own.user + own.system) / 1e6;
      byName.redis = redis.reduce((sum, pid) => sum + (procCpuSeconds(pid) ?? 0), 0);
      const client = new PgClient({ connectionString: adminUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE datname LIKE $1 AND pid <> pg_backend_pid()',
          [`${databasePrefix}%`],
        );
        const postgres = new Map<number, number>();
        for (const { pid } of rows) postgres.set(pid, procCpuSeconds(pid) ?? 0);
        return { byName, postgres };
      } finally {
        await client.end();
      }
    },
  };
}

/** CPU milliseconds each process used between two snapshots (`postgres`: the run's backends together). */
export function cpuMsBetween(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const ms: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(after.byName))
    ms[name] = (seconds - (before.byName[name] ?? seconds)) * 1000;
  let postgres = 0;
  for (const [pid, seconds] of after.postgres) postgres += seconds - (before.postgres.get(pid) ?? 0);
  ms.postgres = postgres * 1000;
  return ms;
}

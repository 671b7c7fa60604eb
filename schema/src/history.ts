import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SchemaVersion } from './changelog';

const run = promisify(execFile);

/** The repository path of the public schema, whose history the changelog tells. */
export const PUBLIC_SCHEMA_PATH = 'schema/public.graphql';

/**
 * Every committed version of `path`, oldest first, dated by the day (UTC) it was committed — the day it reached
 * the branch, which a rebase before landing moves to the landing day. `current`, the schema the code generates
 * now, is appended dated `today` when it differs from the last commit, so one `pnpm schema:generate` before
 * committing writes the entry the commit will have.
 */
export async function schemaHistory(options: {
  repoDir: string;
  path?: string;
  current?: string;
  today?: Date;
}): Promise<SchemaVersion[]> {
  const path = options.path ?? PUBLIC_SCHEMA_PATH;
  const git = async (...args: string[]) =>
    (await run('git', ['-C', options.repoDir, ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  if ((await git('rev-parse', '--is-shallow-repository')).trim() === 'true') {
    throw new Error('The schema changelog needs the whole git history: run `git fetch --unshallow`.');
  }
  const log = await git('log', '--reverse', '--format=%H %ct', '--', path);
  const versions: SchemaVersion[] = [];
  for (const line of log.split('\n').filter(Boolean)) {
    const [commit, seconds] = line.split(' ');
    versions.push({
      date: utcDay(new Date(Number(seconds) * 1000)),
      sdl: await git('show', `${commit}:${path}`),
    });
  }
  if (options.current !== undefined && options.current !== versions.at(-1)?.sdl) {
    versions.push({ date: utcDay(options.today ?? new Date()), sdl: options.current });
  }
  return versions;
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

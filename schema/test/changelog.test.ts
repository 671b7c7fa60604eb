import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHANGELOG_HEADER, renderChangelog } from '../src/changelog';
import { schemaHistory } from '../src/history';

const V1 = 'type Query { a: Int, b: Int @deprecated(reason: "Use a. Removal on or after 2026-01-20.") }';
const V2 =
  'type Query { a: Int, b: Int @deprecated(reason: "Use a. Removal on or after 2026-01-20."), c: Int }';
const V3 = `
  enum Kind { X }
  type T { f: Int, g: String }
  type Query {
    a: Int @deprecated(reason: "Use c. Removal on or after 2026-06-01.")
    """Counts things."""
    c(limit: Int): Int
    t: T
    kind: Kind
  }`;
const V4 = V3.replace('enum Kind { X }', 'enum Kind { X Y }');

describe('the schema changelog', () => {
  it('has one entry per day, newest first: breaking (and why), deprecated, added, changed', async () => {
    const text = await renderChangelog([
      { date: '2026-01-01', sdl: V1 },
      { date: '2026-01-01', sdl: V2 },
      { date: '2026-02-01', sdl: V3 },
      { date: '2026-02-02', sdl: V4 },
    ]);
    expect(text).toBe(
      [
        CHANGELOG_HEADER,
        '## 2026-02-02\n',
        '**Added**\n',
        '- `Kind.Y` — Adding an enum value may break existing clients that were not programming defensively against an added case when querying an enum.\n',
        '## 2026-02-01\n',
        '**Breaking**\n',
        "- Field 'b' (deprecated) was removed from object type 'Query'. Why it breaks: Removing a deprecated field is a breaking change. Before removing it, you may want to look at the field's usage to see the impact of removing the field. (Deprecated before: Use a. Removal on or after 2026-01-20.)\n",
        '**Deprecated**\n',
        '- `Query.a`: Use c. Removal on or after 2026-06-01.\n',
        '**Added**\n',
        '- `Kind` (new type)',
        '- `T` (new type)',
        '- `Query.t`',
        '- `Query.kind`',
        '- `Query.c(limit:)`\n',
        'Descriptions: 1 added or reworded.\n',
        '## 2026-01-01\n',
        'First published schema: `Query`.\n',
      ].join('\n'),
    );
  });

  it('leaves out a day whose changes cancel out', async () => {
    const text = await renderChangelog([
      { date: '2026-01-01', sdl: V1 },
      { date: '2026-01-02', sdl: V2 },
      { date: '2026-01-02', sdl: V1 },
    ]);
    expect(text).not.toContain('2026-01-02');
  });
});

describe('the public schema history', () => {
  const git = promisify(execFile);
  let repo: string;
  beforeEach(async () => {
    repo = await mkdtemp(join(tmpdir(), 'atrium-history-'));
    await git('git', ['init', '-q', repo]);
    await mkdir(join(repo, 'schema'));
  });
  afterEach(() => rm(repo, { recursive: true, force: true }));

  const commit = async (sdl: string, isoDate: string) => {
    await writeFile(join(repo, 'schema/public.graphql'), sdl);
    await git('git', ['-C', repo, 'add', '.']);
    await git(
      'git',
      ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'x'],
      {
        env: { ...process.env, GIT_AUTHOR_DATE: isoDate, GIT_COMMITTER_DATE: isoDate },
      },
    );
  };

  it('reads every committed version, dated by commit day (UTC), plus the uncommitted one dated today', async () => {
    await commit(V1, '2026-01-01T23:30:00+02:00');
    await commit(V2, '2026-01-03T10:00:00Z');
    expect(
      await schemaHistory({ repoDir: repo, current: V3, today: new Date('2026-01-05T12:00:00Z') }),
    ).toEqual([
      { date: '2026-01-01', sdl: V1 },
      { date: '2026-01-03', sdl: V2 },
      { date: '2026-01-05', sdl: V3 },
    ]);
  });

  it('adds nothing when the code generates what is committed', async () => {
    await commit(V1, '2026-01-01T10:00:00Z');
    expect(await schemaHistory({ repoDir: repo, current: V1 })).toEqual([{ date: '2026-01-01', sdl: V1 }]);
  });
});

/**
 * `schema/undescribed.txt`: public names that had no description when the description rule arrived, so work in
 * flight could land before every name was written up. The list may only shrink: the check fails on an
 * undescribed name that is not listed and on a listed name that is described now (or gone), and
 * `pnpm schema:generate` drops described names by itself but adds new ones only with `--allow-undescribed`.
 */
export const PENDING_FILE = 'undescribed.txt';

const HEADER = [
  '# Public names still without a description (schema coordinates), one a line. This list only shrinks:',
  '# describe a name in its type-graphql decorator, run `pnpm schema:generate`, and it leaves the list.',
];

export function parsePending(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** The file's content, or undefined when nothing is pending (the file is then deleted). */
export function printPending(names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined;
  return [...HEADER, ...[...new Set(names)].sort()].join('\n') + '\n';
}

export interface PendingComparison {
  /** Undescribed and not listed: a name added without a description. */
  unlisted: string[];
  /** Listed but described now, or no longer in the schema: the list should shrink. */
  stale: string[];
  /** What the list should hold: the listed names that are still undescribed. */
  stillPending: string[];
}

export function comparePending(undescribed: readonly string[], listed: readonly string[]): PendingComparison {
  const listedSet = new Set(listed);
  const undescribedSet = new Set(undescribed);
  return {
    unlisted: undescribed.filter((name) => !listedSet.has(name)),
    stale: listed.filter((name) => !undescribedSet.has(name)),
    stillPending: listed.filter((name) => undescribedSet.has(name)),
  };
}

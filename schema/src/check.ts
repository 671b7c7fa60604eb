import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { breakingChanges, contractDeviations } from './breaking';
import { CONTRACT_PENDING_FILE, unservedNames } from './contract-coverage';
import { renderChangelog } from './changelog';
import { generateSchemaFiles, type GeneratedFiles } from './compose';
import { deprecationsWithoutReason, undescribedNames } from './descriptions';
import { schemaHistory } from './history';
import { PENDING_FILE, comparePending, parsePending } from './pending';
import type { SubgraphSource } from './subgraphs';

export interface SchemaProblems {
  /** Generated files whose committed copy differs from what the code generates now. */
  drift: string[];
  /** Breaking changes of the public API against the committed public.graphql. */
  breaking: string[];
  /** Places where the public API contradicts the contract. */
  contract: string[];
  /** Public names without a description that schema/undescribed.txt does not list. */
  undescribed: string[];
  /** Names schema/undescribed.txt lists that are described now (or gone): the list must shrink. */
  describedButListed: string[];
  /** `@deprecated` names whose reason is missing or names no removal date. */
  deprecations: string[];
  /**
   * Contract names (types, fields, arguments, enum values) that are not served and not listed in
   * schema/contract-pending.txt, and listed names that are served now (the list only shrinks).
   */
  coverage: string[];
}

export interface ChangelogOptions {
  /** The git work tree whose history of schema/public.graphql the changelog tells. */
  repoDir: string;
  /** Where the committed changelog is. */
  file: string;
  today?: Date;
}

/** Regenerates everything in memory and compares it with the committed files and the contract. */
export async function checkSchemas(options: {
  subgraphs: readonly SubgraphSource[];
  dir: string;
  contractPath?: string;
  changelog?: ChangelogOptions;
}): Promise<SchemaProblems> {
  const files = generateSchemaFiles(options.subgraphs);
  const drift: string[] = [];
  for (const [name, content] of files) {
    const committed = await readFile(join(options.dir, name), 'utf8').catch(() => undefined);
    if (committed !== content) drift.push(committed === undefined ? `${name} (missing)` : name);
  }
  const committedPublic = await readFile(join(options.dir, 'public.graphql'), 'utf8').catch(() => undefined);
  const publicSdl = files.get('public.graphql')!;
  const breaking = committedPublic
    ? (await breakingChanges(committedPublic, publicSdl)).map((c) => c.message)
    : [];
  const contractSdl = options.contractPath
    ? await readFile(options.contractPath, 'utf8').catch(() => undefined)
    : undefined;
  const contract = contractSdl
    ? (await contractDeviations(contractSdl, publicSdl)).map((c) => c.message)
    : [];
  const publicSchema = buildSchema(publicSdl);
  const pending = comparePending(undescribedNames(publicSchema), await readPending(options.dir));
  if (options.changelog) {
    const { file } = options.changelog;
    const committed = await readFile(file, 'utf8').catch(() => undefined);
    if (committed !== (await generateChangelog(files, options.changelog))) drift.push(file);
  }
  return {
    drift,
    breaking,
    contract,
    undescribed: pending.unlisted,
    describedButListed: pending.stale,
    deprecations: deprecationsWithoutReason(publicSchema),
    coverage: contractSdl ? await coverageProblems(options.dir, contractSdl, publicSdl) : [],
  };
}

async function coverageProblems(dir: string, contractSdl: string, publicSdl: string): Promise<string[]> {
  const listed = parsePending(
    await readFile(join(dir, CONTRACT_PENDING_FILE), 'utf8').catch(() => undefined),
  );
  const { unlisted, stale } = comparePending(unservedNames(contractSdl, publicSdl), listed);
  return [
    ...unlisted.map((name) => `'${name}' of the contract is not served`),
    ...stale.map(
      (name) => `'${name}' is served but still listed in schema/${CONTRACT_PENDING_FILE} (remove the line)`,
    ),
  ];
}

export async function readPending(dir: string): Promise<string[]> {
  return parsePending(await readFile(join(dir, PENDING_FILE), 'utf8').catch(() => undefined));
}

/** docs/schema-changelog.md from the public schema's git history plus the public schema the code generates now. */
export async function generateChangelog(files: GeneratedFiles, options: ChangelogOptions): Promise<string> {
  const versions = await schemaHistory({
    repoDir: options.repoDir,
    current: files.get('public.graphql'),
    today: options.today,
  });
  return renderChangelog(versions);
}

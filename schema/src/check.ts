import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { breakingChanges, contractDeviations } from './breaking';
import { generateSchemaFiles } from './compose';
import type { SubgraphSource } from './subgraphs';

export interface SchemaProblems {
  /** Generated files whose committed copy differs from what the code generates now. */
  drift: string[];
  /** Breaking changes of the public API against the committed public.graphql. */
  breaking: string[];
  /** Places where the public API contradicts the contract. */
  contract: string[];
}

/** Regenerates everything in memory and compares it with the committed files and the contract. */
export async function checkSchemas(options: {
  subgraphs: readonly SubgraphSource[];
  dir: string;
  contractPath?: string;
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
  return { drift, breaking, contract };
}

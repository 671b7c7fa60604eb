import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { buildSchema } from 'graphql';
import { checkSchemas, generateChangelog, readPending, type ChangelogOptions } from './check';
import { generateSchemaFiles } from './compose';
import { undescribedNames } from './descriptions';
import { PENDING_FILE, comparePending, printPending } from './pending';
import { SUBGRAPHS } from './subgraphs';

const SCHEMA_DIR = resolve(__dirname, '..');
const REPO_DIR = resolve(SCHEMA_DIR, '..');
const CONTRACT_PATH = resolve(__dirname, '../../../shared/contract.graphql');
const CHANGELOG: ChangelogOptions = { repoDir: REPO_DIR, file: join(REPO_DIR, 'docs/schema-changelog.md') };

const DESCRIBE_HINT =
  "describe each in its type-graphql decorator (`description: '…'`, or `@Arg(name, { description })`)";

/**
 * `generate` writes the SDLs, the supergraph, the public schema, the changelog and the shrinking list of names
 * still undescribed; it refuses a breaking change of the public API unless `--allow-breaking` says it is
 * intended, and lists a new undescribed name only with `--allow-undescribed`. `check` fails on drift, breaking
 * changes, contract deviations, undescribed names and deprecations without a reason, and tells how to fix each.
 */
async function main(command: string | undefined, flags: string[]): Promise<number> {
  const problems = await checkSchemas({
    subgraphs: SUBGRAPHS,
    dir: SCHEMA_DIR,
    contractPath: CONTRACT_PATH,
    changelog: CHANGELOG,
  });
  report('Breaking changes of the public API', problems.breaking);
  report('Deviations from ../shared/contract.graphql', problems.contract);
  report('Contract completeness (serve each name of ../shared/contract.graphql)', problems.coverage);
  report(
    '@deprecated needs a reason that says what to use instead and the earliest removal date (YYYY-MM-DD)',
    problems.deprecations,
  );
  if (command === 'generate')
    return generate(
      problems.breaking.length > 0,
      flags,
      problems.contract.length + problems.deprecations.length + problems.coverage.length > 0,
    );
  if (command === 'check') {
    report(`Public names without a description: ${DESCRIBE_HINT}`, problems.undescribed);
    report(
      `Described now but still listed in schema/${PENDING_FILE} (run \`pnpm schema:generate\`)`,
      problems.describedButListed,
    );
    report(
      'Generated files out of date (run `pnpm schema:generate` and commit)',
      problems.drift.map((file) => relative(REPO_DIR, resolve(SCHEMA_DIR, file))),
    );
    const failed = Object.values(problems).some((list) => list.length > 0);
    if (!failed) {
      console.log(
        'schema: up to date, described, no breaking change, consistent with the contract and serving it',
      );
    }
    return failed ? 1 : 0;
  }
  console.error('usage: cli (generate [--allow-breaking] [--allow-undescribed] | check)');
  return 2;
}

async function generate(breaking: boolean, flags: string[], otherwiseFailed: boolean): Promise<number> {
  if (breaking && !flags.includes('--allow-breaking')) {
    console.error('Refusing to write a breaking change; rerun with --allow-breaking if it is intended.');
    return 1;
  }
  const files = generateSchemaFiles(SUBGRAPHS);
  await mkdir(SCHEMA_DIR, { recursive: true });
  for (const [name, content] of files) await writeFile(join(SCHEMA_DIR, name), content);
  await writeFile(CHANGELOG.file, await generateChangelog(files, CHANGELOG));

  const undescribed = undescribedNames(buildSchema(files.get('public.graphql')!));
  const pending = comparePending(undescribed, await readPending(SCHEMA_DIR));
  const allowNew = flags.includes('--allow-undescribed');
  const listed = allowNew ? [...pending.stillPending, ...pending.unlisted] : pending.stillPending;
  const content = printPending(listed);
  const pendingPath = join(SCHEMA_DIR, PENDING_FILE);
  if (content === undefined) await rm(pendingPath, { force: true });
  else await writeFile(pendingPath, content);
  console.log(
    `schema: wrote ${files.size} schema files, docs/schema-changelog.md; ${listed.length} name(s) still undescribed`,
  );
  if (pending.unlisted.length > 0 && !allowNew) {
    report(
      `Public names without a description: ${DESCRIBE_HINT}; or rerun with \`-- --allow-undescribed\` to list them in schema/${PENDING_FILE} for later`,
      pending.unlisted,
    );
    return 1;
  }
  return otherwiseFailed ? 1 : 0;
}

function report(title: string, lines: string[]): void {
  if (lines.length > 0) console.error(`${title}:\n${lines.map((line) => `  - ${line}`).join('\n')}`);
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkSchemas } from './check';
import { generateSchemaFiles } from './compose';
import { SUBGRAPHS } from './subgraphs';

const SCHEMA_DIR = resolve(__dirname, '..');
const CONTRACT_PATH = resolve(__dirname, '../../../shared/contract.graphql');

/**
 * `generate` writes the SDLs, the supergraph and the public schema; it refuses a breaking change of the public
 * API unless `--allow-breaking` says it is intended. `check` fails on drift, breaking changes and contract
 * deviations, and tells how to fix each.
 */
async function main(command: string | undefined, flags: string[]): Promise<number> {
  const problems = await checkSchemas({ subgraphs: SUBGRAPHS, dir: SCHEMA_DIR, contractPath: CONTRACT_PATH });
  report('Breaking changes of the public API', problems.breaking);
  report('Deviations from ../shared/contract.graphql', problems.contract);
  if (command === 'generate') {
    if (problems.breaking.length > 0 && !flags.includes('--allow-breaking')) {
      console.error('Refusing to write a breaking change; rerun with --allow-breaking if it is intended.');
      return 1;
    }
    await mkdir(SCHEMA_DIR, { recursive: true });
    for (const [name, content] of generateSchemaFiles(SUBGRAPHS))
      await writeFile(join(SCHEMA_DIR, name), content);
    console.log(`schema: wrote ${problems.drift.length} changed file(s) in ${SCHEMA_DIR}`);
    return problems.contract.length > 0 ? 1 : 0;
  }
  if (command === 'check') {
    report('Generated files out of date (run `pnpm schema:generate` and commit)', problems.drift);
    const failed = problems.drift.length + problems.breaking.length + problems.contract.length > 0;
    if (!failed) console.log('schema: up to date, no breaking change, consistent with the contract');
    return failed ? 1 : 0;
  }
  console.error('usage: cli (generate [--allow-breaking] | check)');
  return 2;
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

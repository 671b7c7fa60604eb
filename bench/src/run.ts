import 'reflect-metadata';
import { runGenerationBench } from './generation/run';

/**
 * `pnpm bench` runs every suite in turn, or only those named: `node -r ./scripts/ts-register.js bench/src/run.ts generation`. Each suite writes
 * its results under bench/results/.
 */
const SUITES: Record<string, () => Promise<void>> = {
  generation: runGenerationBench,
};

async function main(names: string[]): Promise<void> {
  const selected = names.length > 0 ? names : Object.keys(SUITES);
  for (const name of selected) {
    const suite = SUITES[name];
    if (!suite) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(SUITES).join(', ')}`);
    await suite();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

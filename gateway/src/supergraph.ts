import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The supergraph committed by `pnpm schema:generate`; the gateway never introspects subgraphs at start. */
export const COMMITTED_SUPERGRAPH_PATH = resolve(__dirname, '../../schema/supergraph.graphql');

export function readSupergraph(path: string = COMMITTED_SUPERGRAPH_PATH): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the supergraph at ${path}: run \`pnpm schema:generate\` (${String(error)})`);
  }
}

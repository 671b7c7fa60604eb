import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationMarkdown } from '../test/src/config-docs';

// `pnpm docs:config`: rewrites docs/configuration.md from the services' config specs.
writeFileSync(join(__dirname, '..', 'docs', 'configuration.md'), configurationMarkdown());
console.log('docs/configuration.md written');

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorsMarkdown } from '../test/src/errors-docs';

// `pnpm docs:errors`: rewrites docs/errors.md from the error-code registry.
writeFileSync(join(__dirname, '..', 'docs', 'errors.md'), errorsMarkdown());
console.log('docs/errors.md written');

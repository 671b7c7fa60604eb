import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorsMarkdown } from '../src/errors-docs';

describe('docs/errors.md', () => {
  it('lists exactly the registered error codes with meaning, status and retryable (run `pnpm docs:errors`)', () => {
    const committed = readFileSync(join(__dirname, '../../docs/errors.md'), 'utf8');
    expect(committed).toBe(errorsMarkdown());
  });

  it('covers the codes a failed job reports', () => {
    const doc = errorsMarkdown();
    for (const code of [
      'QUEUE_UNAVAILABLE',
      'ALL_PROVIDERS_FAILED',
      'BUDGET_EXCEEDED',
      'INTERNAL_SERVER_ERROR',
    ])
      expect(doc).toContain(`| \`${code}\` |`);
  });
});

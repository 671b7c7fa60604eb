import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationMarkdown } from '../src/config-docs';

describe('docs/configuration.md', () => {
  it('lists exactly the variables the services read, with their defaults (run `pnpm docs:config` to update)', () => {
    const committed = readFileSync(join(__dirname, '../../docs/configuration.md'), 'utf8');
    expect(committed).toBe(configurationMarkdown());
  });
});

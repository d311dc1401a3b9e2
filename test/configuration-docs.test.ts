import { readFileSync } from 'node:fs';
import { CONFIGURATION_DOC, TABLE_NAMES, withCurrentTables } from '../scripts/configuration-docs';

describe('docs/configuration.md', () => {
  const document = readFileSync(CONFIGURATION_DOC, 'utf8');

  it('has a table for the scheduler, the worker and observability', () => {
    for (const name of TABLE_NAMES) expect(document).toContain(`<!-- env:${name} -->\n| variable | default | meaning |`);
  });

  it('lists exactly the variables the apps read, with their defaults (run `npm run docs:config` after changing one)', () => {
    expect(document).toBe(withCurrentTables(document));
  });
});

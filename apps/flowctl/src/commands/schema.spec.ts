import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flowctl } from '../testing/capture-io';

describe('flowctl schema', () => {
  it('prints the workflow JSON Schema, the same one the repository ships in schemas/ (regenerate: npm run schema)', async () => {
    const result = await flowctl(['schema']);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { title: string; properties: Record<string, unknown> };
    expect(printed.title).toBe('flowctl workflow (flowctl/v1)');
    expect(Object.keys(printed.properties)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    const shipped = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'schemas', 'workflow-v1.schema.json'), 'utf8'));
    expect(printed).toEqual(shipped);
  });
});

import Ajv from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { aTask, aWorkflow } from './testing/workflow-factory';
import { parseWorkflowSource } from './parse-workflow-source';
import { workflowJsonSchema } from './workflow-json-schema';

const EXAMPLES = join(__dirname, '..', '..', '..', '..', 'examples');
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(workflowJsonSchema());
const schemaAccepts = (document: unknown) => validate(document) === true;
const validatorAccepts = (yaml: string) => {
  try {
    parseWorkflowSource(yaml);
    return true;
  } catch {
    return false;
  }
};

/** Every example workflow file, as text and as data. */
function examples(): { file: string; yaml: string }[] {
  const found: { file: string; yaml: string }[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.ya?ml$/.test(entry.name)) {
        const yaml = readFileSync(path, 'utf8');
        if (/^kind: Workflow$/m.test(yaml)) found.push({ file: path, yaml });
      }
    }
  };
  visit(EXAMPLES);
  return found;
}

describe('workflowJsonSchema', () => {
  it('is a valid draft-07 schema that Ajv compiles in strict mode', () => {
    expect(typeof validate).toBe('function');
  });

  it.each(examples().map((example) => [example.file, example.yaml]))('accepts the example %s, as apply does', (_file, yaml) => {
    expect(validatorAccepts(yaml)).toBe(true);
    expect(schemaAccepts(load(yaml))).toBe(true);
  });

  const valid = aWorkflow({ tasks: [aTask({ name: 'a' }), aTask({ name: 'b', dependsOn: ['a'] })] }) as Record<string, any>;

  it('accepts every field the validator reads', () => {
    const full = {
      ...valid,
      metadata: { name: 'etl', namespace: 'data', labels: { team: 'data' } },
      spec: {
        inputs: { date: { type: 'string', default: '2026-01-01', description: 'the day' } },
        defaults: {
          retry: { maxAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maxInterval: '1m', nonRetryable: ['X'] },
          timeout: '5m',
          heartbeatTimeout: '10s',
          scheduleToStartTimeout: '1m',
          priority: 2,
        },
        timeout: '1h',
        concurrency: 10,
        schedule: { cron: '0 2 * * *', timezone: 'UTC', overlap: 'forbid' },
        tasks: [
          { name: 'extract', type: 'http', with: { url: 'https://example.test' } },
          {
            name: 'each',
            type: 'noop',
            dependsOn: ['extract'],
            forEach: '{{ tasks.extract.output.items }}',
            when: '{{ true }}',
            trigger: 'all_done',
            priority: 1,
            retry: { maxAttempts: 2 },
            timeout: 1000,
          },
        ],
      },
    };
    expect(validatorAccepts(JSON.stringify(full))).toBe(true);
    expect(validate(full) ? [] : validate.errors).toEqual([]);
  });

  it.each([
    ['an unknown top-level field', (w: any) => ({ ...w, extra: 1 })],
    ['an unknown spec field', (w: any) => ({ ...w, spec: { ...w.spec, retries: 3 } })],
    ['an unknown task field', (w: any) => ({ ...w, spec: { tasks: [{ ...w.spec.tasks[0], depends: ['a'] }] } })],
    ['a bad workflow name', (w: any) => ({ ...w, metadata: { name: 'ETL_Daily' } })],
    ['a bad duration', (w: any) => ({ ...w, spec: { ...w.spec, timeout: '5 minutes' } })],
    ['an unknown trigger rule', (w: any) => ({ ...w, spec: { tasks: [{ ...w.spec.tasks[0], trigger: 'always' }] } })],
    ['a priority out of range', (w: any) => ({ ...w, spec: { tasks: [{ ...w.spec.tasks[0], priority: 9 }] } })],
    ['an unknown schedule overlap', (w: any) => ({ ...w, spec: { ...w.spec, schedule: { cron: '* * * * *', overlap: 'skip' } } })],
    ['the wrong apiVersion', (w: any) => ({ ...w, apiVersion: 'flowctl/v2' })],
    ['a task without a type', (w: any) => ({ ...w, spec: { tasks: [{ name: 'a' }] } })],
  ])('refuses %s, as the validator does', (_what, change) => {
    const document = change(structuredClone(valid));
    expect(schemaAccepts(document)).toBe(false);
    expect(validatorAccepts(JSON.stringify(document))).toBe(false);
  });
});

import { WorkflowInvalid } from '../errors/flowctl-error';
import { parseWorkflowSource } from './parse-workflow-source';
import { aTask, asYaml, aWorkflow, issuesOf } from './testing/workflow-factory';
import { WORKFLOW_LIMITS } from './workflow-limits';

const ETL_DAILY_EXAMPLE = `
apiVersion: flowctl/v1
kind: Workflow
metadata:
  name: etl-daily
  namespace: default
  labels: { team: data }
spec:
  inputs:
    date: { type: string, default: "2026-01-01" }
  defaults:
    retry: { maxAttempts: 3, initialInterval: 1s, backoffCoefficient: 2, maxInterval: 1m, nonRetryable: [ValidationError] }
    timeout: 5m
  timeout: 1h
  concurrency: 10
  schedule: { cron: "0 2 * * *", timezone: UTC, overlap: forbid }
  tasks:
    - name: extract
      type: http
      with: { url: "https://example.test/data", method: GET }
    - name: transform
      type: shell
      dependsOn: [extract]
      with: { command: 'echo "$STATUS"', env: { STATUS: "{{ tasks.extract.output.status }}" } }
      retry: { maxAttempts: 5 }
      timeout: 30s
      heartbeatTimeout: 10s
    - name: load
      type: noop
      dependsOn: [transform]
      when: "{{ tasks.transform.output.exitCode == 0 }}"
`;

/** `levels` anchored lists, each holding `width` aliases of the one before: width^levels leaves. */
function billionLaughs(levels: number, width: number): string {
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let level = 1; level <= levels; level++)
    lines.push(
      `l${level}: &l${level} [${Array(width)
        .fill(`*l${level - 1}`)
        .join(', ')}]`,
    );
  return lines.join('\n');
}

describe('parseWorkflowSource', () => {
  it('reads the example of the product contract into a fully defaulted definition', () => {
    const definition = parseWorkflowSource(ETL_DAILY_EXAMPLE);
    expect(definition.metadata).toEqual({ name: 'etl-daily', namespace: 'default', labels: { team: 'data' } });
    expect(definition.spec.inputs).toEqual({ date: { type: 'string', default: '2026-01-01', required: false } });
    expect(definition.spec).toMatchObject({
      timeout: 3_600_000,
      concurrency: 10,
      schedule: { cron: '0 2 * * *', timezone: 'UTC', overlap: 'forbid' },
    });
    const [extract, transform, load] = definition.spec.tasks;
    expect(extract).toEqual({
      name: 'extract',
      type: 'http',
      with: { url: 'https://example.test/data', method: 'GET' },
      dependsOn: [],
      trigger: 'all_success',
      priority: 3,
      retry: { maxAttempts: 3, initialInterval: 1_000, backoffCoefficient: 2, maxInterval: 60_000, nonRetryable: ['ValidationError'] },
      timeout: 300_000,
    });
    expect(transform).toMatchObject({
      retry: { maxAttempts: 5, maxInterval: 60_000, nonRetryable: ['ValidationError'] },
      timeout: 30_000,
      heartbeatTimeout: 10_000,
    });
    expect(load).toMatchObject({ dependsOn: ['transform'], when: '{{ tasks.transform.output.exitCode == 0 }}' });
  });

  it('gives plain JSON data that survives a JSON round trip unchanged', () => {
    const definition = parseWorkflowSource(ETL_DAILY_EXAMPLE);
    expect(JSON.parse(JSON.stringify(definition))).toStrictEqual(definition);
  });

  it('accepts JSON text', () => {
    expect(parseWorkflowSource(JSON.stringify(aWorkflow())).metadata.name).toBe('etl');
  });

  it('rejects a source over 1 MiB before parsing it', () => {
    const source = `${asYaml(aWorkflow())}# ${'x'.repeat(WORKFLOW_LIMITS.maxSourceBytes)}`;
    expect(issuesOf(() => parseWorkflowSource(source))).toEqual([{ path: '', message: 'the source is over the limit of 1048576 bytes' }]);
  });

  it('counts the limit in UTF-8 bytes, not characters', () => {
    const padding = 'é'.repeat(WORKFLOW_LIMITS.maxSourceBytes / 2);
    expect(issuesOf(() => parseWorkflowSource(`# ${padding}\n${asYaml(aWorkflow())}`))[0]!.message).toContain('over the limit');
  });

  it('rejects more than 100 aliases', () => {
    const source = `${asYaml(aWorkflow())}x-anchor: &x 1\nx-list: [${Array(101).fill('*x').join(', ')}]\n`;
    const [issue] = issuesOf(() => parseWorkflowSource(source));
    expect(issue!.message).toBe('too many aliases (more than 100)');
  });

  it('rejects a billion laughs of few aliases by its expanded size', () => {
    const [issue] = issuesOf(() => parseWorkflowSource(billionLaughs(9, 10)));
    expect(issue!.message).toContain('expands (through its aliases) beyond');
  });

  it('accepts a few ordinary aliases, giving each use its own copy', () => {
    const source = `
apiVersion: flowctl/v1
kind: Workflow
metadata: { name: etl }
spec:
  defaults:
    retry: &retry { maxAttempts: 4 }
  tasks:
    - { name: a, type: noop, with: &common { region: eu, tags: [x] } }
    - { name: b, type: noop, with: *common, retry: *retry }
`;
    const definition = parseWorkflowSource(source);
    const [a, b] = definition.spec.tasks;
    expect(b!.with).toEqual({ region: 'eu', tags: ['x'] });
    expect(b!.retry.maxAttempts).toBe(4);
    expect(b!.with).not.toBe(a!.with);
  });

  it('rejects an alias inside its own anchor, which would make a cyclic object', () => {
    const source = `${asYaml(aWorkflow())}loop: &loop [1, *loop]\n`;
    expect(issuesOf(() => parseWorkflowSource(source))[0]!.message).toBe('alias "*loop" refers to its own enclosing anchor');
  });

  it('allows 64 levels of nesting and rejects 65, in flow and in block style', () => {
    // root, spec, tasks, the task and its `with` are five levels; the value adds the rest.
    const flow = (levels: number) =>
      asYaml(aWorkflow({ tasks: [aTask({ with: { deep: 'PLACEHOLDER' } })] })).replace(
        'PLACEHOLDER',
        `${'['.repeat(levels)}${']'.repeat(levels)}`,
      );
    const block = (levels: number) => {
      let deep: unknown = 'leaf';
      for (let i = 0; i < levels; i++) deep = { k: deep };
      return asYaml(aWorkflow({ tasks: [aTask({ with: { deep } })] }));
    };
    for (const source of [flow, block]) {
      expect(() => parseWorkflowSource(source(WORKFLOW_LIMITS.maxDepth - 5))).not.toThrow();
      expect(issuesOf(() => parseWorkflowSource(source(WORKFLOW_LIMITS.maxDepth - 4)))[0]!.message).toBe('nests deeper than 64 levels');
      expect(issuesOf(() => parseWorkflowSource(source(500)))[0]!.message).toMatch(/nesting exceeded maxDepth|nests deeper than 64 levels/);
    }
  });

  it('rejects a source with several documents', () => {
    const source = `${asYaml(aWorkflow())}---\n${asYaml(aWorkflow())}`;
    expect(issuesOf(() => parseWorkflowSource(source))[0]!.message).toContain('found 2 YAML documents');
  });

  it('rejects an empty source, a comment-only source and an empty document', () => {
    for (const source of ['', '# nothing here\n', '---\n', '~']) {
      expect(issuesOf(() => parseWorkflowSource(source))).toEqual([{ path: '', message: 'the document is empty' }]);
    }
  });

  it('rejects a root that is not a mapping', () => {
    expect(issuesOf(() => parseWorkflowSource('- a\n- b\n'))).toEqual([{ path: '', message: 'must be a mapping, not a list', line: 1 }]);
    expect(issuesOf(() => parseWorkflowSource('hello'))[0]!.message).toBe('must be a mapping, not a string ("hello")');
  });

  it('turns a YAML syntax error into an issue with its line', () => {
    const source = 'apiVersion: flowctl/v1\nkind: Workflow\nmetadata: [\n';
    const [issue] = issuesOf(() => parseWorkflowSource(source));
    expect(issue!.message).toMatch(/^invalid YAML: /);
    expect(issue!.line).toBe(4);
  });

  it('rejects duplicate keys with the line of the second', () => {
    const [issue] = issuesOf(() => parseWorkflowSource('apiVersion: flowctl/v1\nkind: Workflow\nkind: Workflow\n'));
    expect(issue).toEqual({ path: '', message: 'invalid YAML: duplicated mapping key', line: 3 });
  });

  it('rejects custom and non-core tags', () => {
    expect(issuesOf(() => parseWorkflowSource(`${asYaml(aWorkflow())}x: !!binary aGk=\n`))[0]!.message).toContain('unknown scalar tag');
    expect(issuesOf(() => parseWorkflowSource(`${asYaml(aWorkflow())}x: !js/function "f() {}"\n`))[0]!.message).toContain('unknown');
  });

  it('points at an unquoted template, which YAML reads as a mapping key', () => {
    const source = asYaml(aWorkflow()).replace('type: noop', 'type: noop\n      with: { url: {{ inputs.url }} }');
    expect(issuesOf(() => parseWorkflowSource(source))).toEqual([
      { path: '', message: 'a mapping key must be a plain value (quote templates in YAML: "{{ ... }}")', line: 9 },
    ]);
  });

  it('does not treat << as a merge key', () => {
    const source = asYaml(aWorkflow({ tasks: [aTask({ '<<': { type: 'shell' } })] }));
    expect(issuesOf(() => parseWorkflowSource(source))[0]!.message).toContain('unknown field "<<"');
  });

  it('locates every issue on its line', () => {
    const source = [
      'apiVersion: flowctl/v1', // 1
      'kind: Workflow', // 2
      'metadata:', // 3
      '  name: etl', // 4
      'spec:', // 5
      '  tasks:', // 6
      '    - name: extract', // 7
      '      type: http', // 8
      '      timeout: 5 minutes', // 9
      '    - name: load', // 10
      '      type: noop', // 11
      '      dependsOn:', // 12
      '        - extract', // 13
      '        - lod', // 14
      '      dependOn: [extract]', // 15
    ].join('\n');
    expect(issuesOf(() => parseWorkflowSource(source))).toEqual([
      { path: 'spec.tasks[0].timeout', message: 'invalid duration "5 minutes" (use 500ms, 10s, 5m, 1h, 1d or milliseconds)', line: 9 },
      { path: 'spec.tasks[1].dependOn', message: 'unknown field "dependOn" (did you mean "dependsOn"?)', line: 15 },
      { path: 'spec.tasks[1].dependsOn[1]', message: 'unknown task "lod" (did you mean "load"?)', line: 14 },
    ]);
  });

  it('locates a missing field at its parent', () => {
    const source = 'apiVersion: flowctl/v1\nkind: Workflow\nmetadata: { name: etl }\nspec:\n  tasks:\n    - name: a\n      with: {}\n';
    expect(issuesOf(() => parseWorkflowSource(source))).toEqual([{ path: 'spec.tasks[0].type', message: 'is required', line: 6 }]);
  });

  it('puts the line in the error message', () => {
    const source = asYaml(aWorkflow({ metadata: { name: 'Bad_Name' } }));
    expect(() => parseWorkflowSource(source)).toThrow(WorkflowInvalid);
    expect(() => parseWorkflowSource(source)).toThrow(/^metadata\.name: invalid name "Bad_Name": .* \(line 4\)$/);
  });
});

import { dump } from 'js-yaml';

export interface TaskSketch {
  name: string;
  type?: string;
  dependsOn?: string[];
  with?: Record<string, unknown>;
  [field: string]: unknown;
}

/** A valid workflow document as YAML, from just the parts a test cares about. */
export function aWorkflow(options: {
  name: string;
  tasks: TaskSketch[];
  spec?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}): string {
  return dump({
    apiVersion: 'flowctl/v1',
    kind: 'Workflow',
    metadata: { name: options.name, ...options.metadata },
    spec: {
      ...options.spec,
      tasks: options.tasks.map((task) => ({ type: 'noop', ...task })),
    },
  });
}

/** Nine levels of ten aliases: 90 aliases, a billion strings once expanded. */
export function aliasBombWorkflow(name: string): string {
  const levels = [`        l0: &l0 [${Array(10).fill('"lol"').join(', ')}]`];
  for (let i = 1; i <= 8; i++)
    levels.push(
      `        l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return [
    'apiVersion: flowctl/v1',
    'kind: Workflow',
    `metadata: { name: ${name} }`,
    'spec:',
    '  tasks:',
    '    - name: a',
    '      type: noop',
    '      with:',
    ...levels,
  ].join('\n');
}

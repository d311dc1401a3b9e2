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

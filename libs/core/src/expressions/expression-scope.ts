/** What a template can read while it renders: the run's inputs and its upstream tasks' results. */
export interface ExpressionScope {
  inputs: Record<string, unknown>;
  tasks: Record<string, { output?: unknown; status?: string }>;
  run: { id: string };
  workflow: { name: string; namespace?: string };
  /** The current element and its position, inside a `forEach` task instance. */
  item?: unknown;
  index?: number;
  /** The event that starts a run, inside a trigger's `filter` and `inputs` (spec.on) only. */
  event?: unknown;
  /**
   * Never holds values: the scheduler renders `{{ secrets.NAME }}` as a
   * placeholder and only the worker fills it in (see secret-slots.ts).
   */
  secrets?: never;
}

export const ROOT_NAMES = ['inputs', 'tasks', 'run', 'workflow', 'item', 'index', 'event', 'secrets'] as const;
export type RootName = (typeof ROOT_NAMES)[number];

export const isRootName = (name: string): name is RootName => (ROOT_NAMES as readonly string[]).includes(name);

/** What a template reads, so validation can check it against the DAG and the declared inputs. */
export interface References {
  /** Task names read through `tasks.NAME.output` or `tasks.NAME.status`. */
  tasks: Set<string>;
  /** Input names read through `inputs.NAME`. */
  inputs: Set<string>;
  /** Whether `item` or `index` is read (only meaningful inside a `forEach` task). */
  usesItem: boolean;
  /** Secret names read through `secrets.NAME`. */
  secrets: Set<string>;
  /** Whether `event` is read (only meaningful in a trigger of spec.on). */
  usesEvent: boolean;
}

export const noReferences = (): References => ({
  tasks: new Set(),
  inputs: new Set(),
  usesItem: false,
  secrets: new Set(),
  usesEvent: false,
});

export function copyReferences(references: References): References {
  return {
    tasks: new Set(references.tasks),
    inputs: new Set(references.inputs),
    usesItem: references.usesItem,
    secrets: new Set(references.secrets),
    usesEvent: references.usesEvent,
  };
}

/** Adds `source` into `target`; returns `target`. */
export function addReferences(target: References, source: References): References {
  for (const name of source.tasks) target.tasks.add(name);
  for (const name of source.inputs) target.inputs.add(name);
  target.usesItem ||= source.usesItem;
  for (const name of source.secrets) target.secrets.add(name);
  target.usesEvent ||= source.usesEvent;
  return target;
}

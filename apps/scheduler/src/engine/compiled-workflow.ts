import { collectReferences, conditionReferences, dependentsOf, type TaskDefinition, type WorkflowDefinition } from '@flowctl/core';

const INSTANCE_SUFFIX = /\[\d+\]$/;

/**
 * A definition prepared once per version for the engine's hot path: task by
 * name, direct dependents, and the upstream tasks each task's templates read,
 * so releasing an edge or rendering an input never scans the workflow.
 */
export class CompiledWorkflow {
  readonly tasks = new Map<string, TaskDefinition>();
  readonly dependents: Map<string, string[]>;
  readonly templateReads = new Map<string, string[]>();

  constructor(
    readonly versionId: string,
    readonly definition: WorkflowDefinition,
  ) {
    for (const task of definition.spec.tasks) {
      this.tasks.set(task.name, task);
      const reads = new Set(collectReferences(task.with).tasks);
      for (const expression of [task.when, task.forEach]) {
        if (expression) for (const name of conditionReferences(expression).tasks) reads.add(name);
      }
      this.templateReads.set(task.name, [...reads]);
    }
    this.dependents = dependentsOf(definition.spec.tasks);
  }

  /** The definition of a task run: `fan[3]`, an instance of a forEach, is defined by `fan`. */
  task(name: string): TaskDefinition {
    const task = this.tasks.get(name) ?? this.tasks.get(name.replace(INSTANCE_SUFFIX, ''));
    if (!task) throw new Error(`task ${name} is not in ${this.definition.metadata.name} version ${this.versionId}`);
    return task;
  }

  dependentsOf(name: string): readonly string[] {
    return this.dependents.get(name) ?? [];
  }
}

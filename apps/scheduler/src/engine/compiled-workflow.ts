import {
  collectReferences,
  conditionReferences,
  dependentsOf,
  type TaskDefinition,
  type WorkflowDefinition,
} from '@flowctl/core';

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
      if (task.when) for (const name of conditionReferences(task.when).tasks) reads.add(name);
      this.templateReads.set(task.name, [...reads]);
    }
    this.dependents = dependentsOf(definition.spec.tasks);
  }

  task(name: string): TaskDefinition {
    const task = this.tasks.get(name);
    if (!task) throw new Error(`task ${name} is not in ${this.definition.metadata.name} version ${this.versionId}`);
    return task;
  }

  dependentsOf(name: string): readonly string[] {
    return this.dependents.get(name) ?? [];
  }
}

import { Injectable } from '@nestjs/common';
import { RunRepository } from '@flowctl/persistence';
import { WorkflowCatalog } from './workflow-catalog';
import type { UnitOfWork } from './unit-of-work';

/**
 * Locks runs (always before their task rows, in id order: the lock order every
 * engine transaction follows) and attaches their compiled workflow.
 */
@Injectable()
export class RunLocker {
  constructor(
    private readonly runs: RunRepository,
    private readonly catalog: WorkflowCatalog,
  ) {}

  async lock(uow: UnitOfWork, runIds: Iterable<string>): Promise<void> {
    const missing = [...new Set(runIds)].filter((id) => !uow.runs.has(id)).sort();
    if (missing.length === 0) return;
    for (const row of await this.runs.lock(uow.tx, missing)) {
      uow.runs.set(row.id, { row, workflow: await this.catalog.byVersionId(uow.tx, row.workflowVersionId) });
    }
  }
}

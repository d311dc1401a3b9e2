import { Injectable } from '@nestjs/common';
import { WorkflowRepository, type Queryable } from '@flowctl/persistence';
import { CompiledWorkflow } from './compiled-workflow';

const MAX_CACHED_VERSIONS = 500;

/** Versions never change once stored, so a compiled version can be cached for good (bounded by count). */
@Injectable()
export class WorkflowCatalog {
  private readonly cache = new Map<string, CompiledWorkflow>();

  constructor(private readonly workflows: WorkflowRepository) {}

  async byVersionId(db: Queryable, versionId: string): Promise<CompiledWorkflow> {
    const cached = this.cache.get(versionId);
    if (cached) return cached;
    const row = await this.workflows.versionById(db, versionId);
    if (!row) throw new Error(`workflow version ${versionId} is missing`);
    const compiled = new CompiledWorkflow(row.id, row.definition);
    if (this.cache.size >= MAX_CACHED_VERSIONS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(versionId, compiled);
    return compiled;
  }
}

import { Controller, Headers, Param, Res } from '@nestjs/common';
import { InvalidInput, NotFound } from '@flowctl/core';
import type { BodyOf, QueryOf, ResponseOf, WorkflowDefinition } from '@flowctl/api-contract';
import { ScheduleRepository, WorkflowRepository } from '@flowctl/persistence';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { Audited, CallerAccess, RequireRole } from '../auth/auth-metadata';
import { ApplyWorkflowUseCase } from '../use-cases/apply-workflow/apply-workflow.use-case';
import { StartRunUseCase } from '../use-cases/start-run/start-run.use-case';
import { ContractBody, ContractQuery, Route } from './contract-route';
import { decodeCursor, page } from './cursor';
import { workflowNameParam } from './request-params';
import { iso, runView, scheduleView, workflowSummaryView } from './views';
import { TriggerListeners } from '../use-cases/receive-event/trigger-listeners';

const RUN_START = 'run.start';

const isNameCursor = (value: unknown): value is [string, string] =>
  Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string');

@Controller()
export class WorkflowsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly workflows: WorkflowRepository,
    private readonly applyWorkflow: ApplyWorkflowUseCase,
    private readonly startRun: StartRunUseCase,
    private readonly schedules: ScheduleRepository,
    private readonly listeners: TriggerListeners,
  ) {}

  @Route('applyWorkflow')
  @RequireRole('admin')
  @Audited('workflow.apply')
  async apply(
    @ContractBody() body: BodyOf<'applyWorkflow'> | undefined,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'applyWorkflow'>,
    @Headers('content-type') contentType?: string,
  ): Promise<ResponseOf<'applyWorkflow'>> {
    const authorize = (namespace: string) => access.assertAllowed(namespace);
    const options = { dryRun: query.dryRun };
    if (typeof body === 'string') {
      if (body.trim() === '') throw new InvalidInput('request body is empty: send the workflow as YAML or JSON');
      return this.applyWorkflow.execute(body, authorize, options);
    }
    if (typeof body === 'object' && body !== null && Object.keys(body).length > 0)
      return this.applyWorkflow.execute(body, authorize, options);
    throw new InvalidInput(
      `request body is empty or not a workflow (content type ${contentType ?? 'missing'}): send application/yaml or application/json`,
    );
  }

  @Route('listWorkflows')
  @RequireRole('viewer')
  async list(@CallerAccess() access: Access, @ContractQuery() query: QueryOf<'listWorkflows'>): Promise<ResponseOf<'listWorkflows'>> {
    const rows = await this.workflows.list(this.dataSource, {
      namespaces: access.listFilter(query.namespace),
      after: decodeCursor(query.cursor, isNameCursor),
      limit: query.limit + 1,
    });
    const result = page(rows, query.limit, (last) => [last.namespace, last.name]);
    return { ...result, items: result.items.map(workflowSummaryView) };
  }

  @Route('getWorkflow')
  @RequireRole('viewer')
  async get(
    @Param('name') name: string,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'getWorkflow'>,
  ): Promise<ResponseOf<'getWorkflow'>> {
    const ns = access.namespaceOf(query.namespace);
    access.assertVisible(ns, `workflow "${name}" not found in namespace "${ns}"`);
    const workflow = await this.workflows.find(this.dataSource, ns, workflowNameParam(name));
    if (!workflow) throw new NotFound(`workflow "${name}" not found in namespace "${ns}"`);
    const current = await this.workflows.version(this.dataSource, ns, name, workflow.currentVersion);
    const versions = await this.workflows.versions(this.dataSource, ns, name);
    const schedule = await this.schedules.find(this.dataSource, ns, name);
    const definition = current?.definition as WorkflowDefinition | undefined;
    return {
      ...workflowSummaryView(workflow),
      name,
      namespace: ns,
      ...(definition ? { spec: definition.spec, definition, source: current?.source ?? null } : {}),
      versions: versions.map((v) => ({ version: v.version, contentHash: v.contentHash, createdAt: iso(v.createdAt) })),
      schedule: schedule ? scheduleView(schedule) : null,
    };
  }

  @Route('getWorkflowVersion')
  @RequireRole('viewer')
  async version(
    @Param('name') name: string,
    @Param('version') version: string,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'getWorkflowVersion'>,
  ): Promise<ResponseOf<'getWorkflowVersion'>> {
    const ns = access.namespaceOf(query.namespace);
    access.assertVisible(ns, `workflow "${name}" has no version ${version}`);
    const number = Number(version);
    const row = Number.isInteger(number) ? await this.workflows.version(this.dataSource, ns, workflowNameParam(name), number) : undefined;
    if (!row) throw new NotFound(`workflow "${name}" has no version ${version}`);
    return {
      name,
      namespace: ns,
      version: row.version,
      contentHash: row.contentHash,
      createdAt: iso(row.createdAt),
      definition: row.definition as WorkflowDefinition,
      source: row.source,
    };
  }

  @Route('deleteWorkflow')
  @RequireRole('admin')
  @Audited('workflow.delete')
  async remove(
    @Param('name') name: string,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'deleteWorkflow'>,
  ): Promise<ResponseOf<'deleteWorkflow'>> {
    const ns = access.namespaceOf(query.namespace);
    access.assertVisible(ns, `workflow "${name}" not found in namespace "${ns}"`);
    if (!(await this.workflows.delete(this.dataSource, ns, workflowNameParam(name))))
      throw new NotFound(`workflow "${name}" not found in namespace "${ns}"`);
    this.listeners.workflowsChanged(ns);
    await this.schedules.delete(this.dataSource, ns, name);
    return { name, namespace: ns, result: 'deleted' };
  }

  @Route('startRun')
  @RequireRole('operator')
  @Audited(RUN_START, { successInTransaction: true })
  async start(
    @Param('name') name: string,
    @ContractBody() body: BodyOf<'startRun'>,
    @Res({ passthrough: true }) response: Response,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'startRun'>,
  ): Promise<ResponseOf<'startRun'>> {
    const request = body ?? {};
    const ns = access.namespaceOf(query.namespace ?? request.namespace);
    access.assertVisible(ns, `workflow "${name}" not found in namespace "${ns}"`);
    const { run, created } = await this.startRun.execute({
      namespace: ns,
      workflow: workflowNameParam(name),
      inputs: request.inputs,
      idempotencyKey: request.idempotencyKey,
      audit: {
        actor: access.principal.actor,
        tokenId: access.principal.tokenId,
        action: RUN_START,
        target: name,
        namespace: access.namespace,
      },
    });
    response.status(created ? 201 : 200);
    return runView(run);
  }
}

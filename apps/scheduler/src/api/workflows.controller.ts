import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res, Headers } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InvalidInput, NotFound } from '@flowctl/core';
import { ScheduleRepository, WorkflowRepository } from '@flowctl/persistence';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { Audited, CallerAccess, RequireRole } from '../auth/auth-metadata';
import { ApplyWorkflowUseCase } from '../use-cases/apply-workflow/apply-workflow.use-case';
import { StartRunUseCase } from '../use-cases/start-run/start-run.use-case';
import { decodeCursor, page, parseLimit } from './cursor';
import { workflowNameParam } from './request-params';
import { scheduleView } from './schedules.controller';
import { runView } from './views';

const RUN_START = 'run.start';

function parseDryRun(value: string | undefined): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true' || value === '') return true;
  throw new InvalidInput(`dryRun must be true or false, not "${value}"`);
}

const isNameCursor = (value: unknown): value is [string, string] =>
  Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string');

@ApiTags('workflows')
@Controller('workflows')
export class WorkflowsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly workflows: WorkflowRepository,
    private readonly applyWorkflow: ApplyWorkflowUseCase,
    private readonly startRun: StartRunUseCase,
    private readonly schedules: ScheduleRepository,
  ) {}

  @Put()
  @HttpCode(200)
  @RequireRole('admin')
  @Audited('workflow.apply')
  @ApiOperation({
    summary: 'Apply a workflow definition (YAML or JSON body); idempotent by content; ?dryRun=true validates and answers without storing',
  })
  async apply(
    @Body() body: unknown,
    @CallerAccess() access: Access,
    @Headers('content-type') contentType?: string,
    @Query('dryRun') dryRunParam?: string,
  ) {
    const authorize = (namespace: string) => access.assertAllowed(namespace);
    const options = { dryRun: parseDryRun(dryRunParam) };
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

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'List workflows' })
  async list(
    @CallerAccess() access: Access,
    @Query('namespace') namespace?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    const size = parseLimit(limit);
    const rows = await this.workflows.list(this.dataSource, {
      namespaces: access.listFilter(namespace),
      after: decodeCursor(cursor, isNameCursor),
      limit: size + 1,
    });
    const result = page(rows, size, (last) => [last.namespace, last.name]);
    return {
      ...result,
      items: result.items.map((w) => ({
        name: w.name,
        namespace: w.namespace,
        version: w.currentVersion,
        labels: w.labels,
        createdAt: w.createdAt,
        updatedAt: w.updatedAt,
      })),
    };
  }

  @Get(':name')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One workflow with its versions and current definition' })
  async get(@Param('name') name: string, @CallerAccess() access: Access, @Query('namespace') namespace?: string) {
    const ns = access.namespaceOf(namespace);
    access.assertVisible(ns, `workflow "${name}" not found in namespace "${ns}"`);
    const workflow = await this.workflows.find(this.dataSource, ns, workflowNameParam(name));
    if (!workflow) throw new NotFound(`workflow "${name}" not found in namespace "${ns}"`);
    const current = await this.workflows.version(this.dataSource, ns, name, workflow.currentVersion);
    const versions = await this.workflows.versions(this.dataSource, ns, name);
    const schedule = await this.schedules.find(this.dataSource, ns, name);
    return {
      name,
      namespace: ns,
      version: workflow.currentVersion,
      labels: workflow.labels,
      createdAt: workflow.createdAt,
      updatedAt: workflow.updatedAt,
      spec: current?.definition.spec,
      definition: current?.definition,
      source: current?.source,
      versions: versions.map((v) => ({ version: v.version, contentHash: v.contentHash, createdAt: v.createdAt })),
      schedule: schedule ? scheduleView(schedule) : null,
    };
  }

  @Get(':name/versions/:version')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One stored version of a workflow' })
  async version(
    @Param('name') name: string,
    @Param('version') version: string,
    @CallerAccess() access: Access,
    @Query('namespace') namespace?: string,
  ) {
    const ns = access.namespaceOf(namespace);
    access.assertVisible(ns, `workflow "${name}" has no version ${version}`);
    const number = Number(version);
    const row = Number.isInteger(number) ? await this.workflows.version(this.dataSource, ns, workflowNameParam(name), number) : undefined;
    if (!row) throw new NotFound(`workflow "${name}" has no version ${version}`);
    return {
      name,
      namespace: ns,
      version: row.version,
      contentHash: row.contentHash,
      createdAt: row.createdAt,
      definition: row.definition,
      source: row.source,
    };
  }

  @Delete(':name')
  @RequireRole('admin')
  @Audited('workflow.delete')
  @ApiOperation({ summary: 'Delete a workflow; its runs keep their history' })
  async remove(@Param('name') name: string, @CallerAccess() access: Access, @Query('namespace') namespace?: string) {
    const ns = access.namespaceOf(namespace);
    access.assertVisible(ns, `workflow "${name}" not found in namespace "${ns}"`);
    if (!(await this.workflows.delete(this.dataSource, ns, workflowNameParam(name))))
      throw new NotFound(`workflow "${name}" not found in namespace "${ns}"`);
    await this.schedules.delete(this.dataSource, ns, name);
    return { name, namespace: ns, result: 'deleted' };
  }

  @Post(':name/runs')
  @RequireRole('operator')
  @Audited(RUN_START, { successInTransaction: true })
  @ApiOperation({ summary: 'Start a run: {inputs?, idempotencyKey?}; the same idempotencyKey returns the same run (200)' })
  async start(
    @Param('name') name: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
    @CallerAccess() access: Access,
    @Query('namespace') namespace?: string,
  ) {
    const request = (body ?? {}) as Record<string, unknown>;
    if (typeof request !== 'object' || Array.isArray(request))
      throw new InvalidInput('body must be a JSON object {inputs?, idempotencyKey?}');
    const unknown = Object.keys(request).filter((key) => key !== 'inputs' && key !== 'idempotencyKey' && key !== 'namespace');
    if (unknown.length > 0) throw new InvalidInput(`unknown field(s) ${unknown.join(', ')}: expected {inputs?, idempotencyKey?}`);
    const ns = access.namespaceOf(namespace ?? request.namespace);
    access.assertVisible(ns, `workflow "${name}" not found in namespace "${ns}"`);
    const { run, created } = await this.startRun.execute({
      namespace: ns,
      workflow: workflowNameParam(name),
      inputs: request.inputs,
      idempotencyKey: request.idempotencyKey as string | undefined,
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

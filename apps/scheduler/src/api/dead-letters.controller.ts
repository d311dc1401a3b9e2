import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFound } from '@flowctl/core';
import { DeadLetterRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { RequeueDeadLetterUseCase } from '../use-cases/requeue-dead-letter/requeue-dead-letter.use-case';
import { decodeCursor, isBigintIdField, isTimestampField, page, parseLimit } from './cursor';
import type { Access } from '../auth/access';
import { Audited, CallerAccess, RequireRole } from '../auth/auth-metadata';
import { optionalString } from './request-params';
import { deadLetterView } from './views';

const isCursor = (value: unknown): value is { deadAt: string; id: string } =>
  typeof value === 'object' &&
  value !== null &&
  isTimestampField((value as { deadAt?: unknown }).deadAt) &&
  isBigintIdField((value as { id?: unknown }).id);

@ApiTags('dead-letters')
@Controller('dead-letters')
export class DeadLettersController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deadLetters: DeadLetterRepository,
    private readonly requeue: RequeueDeadLetterUseCase,
  ) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Tasks that exhausted their retries, newest first' })
  async list(
    @CallerAccess() access: Access,
    @Query('workflow') workflow?: string,
    @Query('type') type?: string,
    @Query('namespace') namespace?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    const size = parseLimit(limit);
    const rows = await this.deadLetters.list(this.dataSource, {
      namespaces: access.listFilter(namespace),
      workflow: optionalString('workflow', workflow),
      type: optionalString('type', type),
      before: decodeCursor(cursor, isCursor),
      limit: size + 1,
    });
    const result = page(rows, size, (last) => ({ deadAt: new Date(last.deadAt).toISOString(), id: last.id }));
    return { ...result, items: result.items.map(deadLetterView) };
  }

  @Get(':id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One dead letter' })
  async get(@Param('id') id: string, @CallerAccess() access: Access) {
    const letter = await this.visibleLetter(id, access);
    return { ...deadLetterView(letter), requeuedAt: letter.requeuedAt };
  }

  @Post(':id/requeue')
  @HttpCode(200)
  @RequireRole('operator')
  @Audited('dead-letter.requeue')
  @ApiOperation({ summary: 'Give a dead task a fresh budget of attempts and let its run go on' })
  async requeueOne(@Param('id') id: string, @CallerAccess() access: Access) {
    await this.visibleLetter(id, access);
    return this.requeue.execute(id);
  }

  /** A letter of another namespace answers exactly as one that does not exist. */
  private async visibleLetter(id: string, access: Access) {
    const letter = /^\d{1,18}$/.test(id) ? await this.deadLetters.find(this.dataSource, id) : undefined;
    if (!letter) throw new NotFound(`dead letter ${id} not found`);
    access.assertVisible(letter.namespace, `dead letter ${id} not found`);
    return letter;
  }
}

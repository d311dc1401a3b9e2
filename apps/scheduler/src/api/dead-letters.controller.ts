import { Controller, Param } from '@nestjs/common';
import type { QueryOf, ResponseOf } from '@flowctl/api-contract';
import { NotFound } from '@flowctl/core';
import { DeadLetterRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { RequeueDeadLetterUseCase } from '../use-cases/requeue-dead-letter/requeue-dead-letter.use-case';
import { ContractQuery, Route } from './contract-route';
import { decodeCursor, isBigintIdField, isTimestampField, page } from './cursor';
import type { Access } from '../auth/access';
import { Audited, CallerAccess, RequireRole } from '../auth/auth-metadata';
import { deadLetterView, isoOrNull } from './views';

const isCursor = (value: unknown): value is { deadAt: string; id: string } =>
  typeof value === 'object' &&
  value !== null &&
  isTimestampField((value as { deadAt?: unknown }).deadAt) &&
  isBigintIdField((value as { id?: unknown }).id);

@Controller()
export class DeadLettersController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deadLetters: DeadLetterRepository,
    private readonly requeue: RequeueDeadLetterUseCase,
  ) {}

  @Route('listDeadLetters')
  @RequireRole('viewer')
  async list(@CallerAccess() access: Access, @ContractQuery() query: QueryOf<'listDeadLetters'>): Promise<ResponseOf<'listDeadLetters'>> {
    const size = query.limit;
    const rows = await this.deadLetters.list(this.dataSource, {
      namespaces: access.listFilter(query.namespace),
      workflow: query.workflow,
      type: query.type,
      before: decodeCursor(query.cursor, isCursor),
      limit: size + 1,
    });
    const result = page(rows, size, (last) => ({ deadAt: new Date(last.deadAt).toISOString(), id: last.id }));
    return { ...result, items: result.items.map(deadLetterView) };
  }

  @Route('getDeadLetter')
  @RequireRole('viewer')
  async get(@Param('id') id: string, @CallerAccess() access: Access): Promise<ResponseOf<'getDeadLetter'>> {
    const letter = await this.visibleLetter(id, access);
    return { ...deadLetterView(letter), requeuedAt: isoOrNull(letter.requeuedAt) };
  }

  @Route('requeueDeadLetter')
  @RequireRole('operator')
  @Audited('dead-letter.requeue')
  async requeueOne(@Param('id') id: string, @CallerAccess() access: Access): Promise<ResponseOf<'requeueDeadLetter'>> {
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

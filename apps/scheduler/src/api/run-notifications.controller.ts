import { Controller, Param } from '@nestjs/common';
import type { NotificationDelivery, QueryOf, ResponseOf } from '@flowctl/api-contract';
import { NotFound } from '@flowctl/core';
import {
  NotificationDeliveryRepository,
  RunRepository,
  type NotificationAttemptRow,
  type NotificationDeliveryRow,
} from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { CallerAccess, RequireRole } from '../auth/auth-metadata';
import { ContractQuery, Route } from './contract-route';
import { decodeCursor, isBigintIdField, page } from './cursor';
import { runIdParam } from './request-params';

const isIdCursor = (value: unknown): value is { id: string } =>
  typeof value === 'object' && value !== null && isBigintIdField((value as { id?: unknown }).id);

/** GET /runs/:id/notifications: what spec.notify sent about a run, and what each receiver answered. */
@Controller()
export class RunNotificationsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunRepository,
    private readonly deliveries: NotificationDeliveryRepository,
  ) {}

  @Route('listRunNotifications')
  @RequireRole('viewer')
  async list(
    @Param('id') id: string,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'listRunNotifications'>,
  ): Promise<ResponseOf<'listRunNotifications'>> {
    const run = await this.runs.find(this.dataSource, runIdParam(id));
    if (!run) throw new NotFound(`run ${id} not found`);
    access.assertVisible(run.namespace, `run ${id} not found`);
    const rows = await this.deliveries.listOfRun(this.dataSource, run.id, {
      afterId: decodeCursor(query.cursor, isIdCursor)?.id,
      limit: query.limit + 1,
    });
    const result = page(rows, query.limit, (last) => ({ id: last.id }));
    const attempts = new Map<string, NotificationAttemptRow[]>();
    for (const attempt of await this.deliveries.attemptsOf(
      this.dataSource,
      result.items.map((row) => row.id),
    )) {
      const list = attempts.get(attempt.deliveryId);
      if (list) list.push(attempt);
      else attempts.set(attempt.deliveryId, [attempt]);
    }
    return { ...result, items: result.items.map((row) => deliveryView(row, attempts.get(row.id) ?? [])) };
  }
}

export function deliveryView(row: NotificationDeliveryRow, attempts: readonly NotificationAttemptRow[]): NotificationDelivery {
  return {
    id: row.id,
    event: row.event,
    destination: new URL(row.url).origin,
    format: row.format,
    signed: row.secretName !== null,
    status: row.status,
    nextAttemptAt: row.status === 'pending' ? (row.nextAttemptAt?.toISOString() ?? null) : null,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    lastError: row.lastError,
    deadTask: row.deadTask,
    attempts: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      startedAt: attempt.startedAt.toISOString(),
      durationMs: attempt.durationMs,
      statusCode: attempt.statusCode,
      response: attempt.response,
      error: attempt.error,
    })),
  };
}

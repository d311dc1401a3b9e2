import type { OverlapPolicy } from '@flowctl/core';
import { queryRows, type Queryable } from '../queryable';

export interface ScheduleRow {
  namespace: string;
  name: string;
  cron: string;
  timezone: string;
  overlap: OverlapPolicy;
  paused: boolean;
  nextFireAt: Date;
  lastFiredAt: Date | null;
  bufferedFireAt: Date | null;
}

const COLUMNS = `namespace, name, cron, timezone, overlap, paused, next_fire_at AS "nextFireAt", last_fired_at AS "lastFiredAt",
  buffered_fire_at AS "bufferedFireAt"`;

/** Cron schedules, one per workflow that declares spec.schedule. */
export class ScheduleRepository {
  /**
   * Keeps the next tick (and a pause) when the cron and time zone did not
   * change, so re-applying a workflow neither skips nor repeats a tick.
   */
  async upsert(tx: Queryable, schedule: Omit<ScheduleRow, 'paused' | 'lastFiredAt' | 'bufferedFireAt'>): Promise<void> {
    await tx.query(
      `INSERT INTO schedules (namespace, name, cron, timezone, overlap, next_fire_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (namespace, name) DO UPDATE SET
         next_fire_at = CASE WHEN schedules.cron = EXCLUDED.cron AND schedules.timezone = EXCLUDED.timezone THEN schedules.next_fire_at ELSE EXCLUDED.next_fire_at END,
         cron = EXCLUDED.cron, timezone = EXCLUDED.timezone, overlap = EXCLUDED.overlap, updated_at = now()`,
      [schedule.namespace, schedule.name, schedule.cron, schedule.timezone, schedule.overlap, schedule.nextFireAt],
    );
  }

  async delete(tx: Queryable, namespace: string, name: string): Promise<void> {
    await tx.query(`DELETE FROM schedules WHERE namespace = $1 AND name = $2`, [namespace, name]);
  }

  async find(db: Queryable, namespace: string, name: string): Promise<ScheduleRow | undefined> {
    const [row] = await queryRows<ScheduleRow>(db, `SELECT ${COLUMNS} FROM schedules WHERE namespace = $1 AND name = $2`, [
      namespace,
      name,
    ]);
    return row;
  }

  /** Due ticks and buffered ticks waiting for their workflow to be free. */
  async due(db: Queryable, limit: number): Promise<ScheduleRow[]> {
    return queryRows<ScheduleRow>(
      db,
      `SELECT ${COLUMNS} FROM schedules WHERE NOT paused AND (next_fire_at <= now() OR buffered_fire_at IS NOT NULL)
        ORDER BY next_fire_at LIMIT $1`,
      [limit],
    );
  }

  async nextDueAt(db: Queryable): Promise<{ next: Date | null; buffered: boolean }> {
    const [row] = await queryRows<{ next: Date | null; buffered: boolean }>(
      db,
      `SELECT min(next_fire_at) AS next, bool_or(buffered_fire_at IS NOT NULL) AS buffered FROM schedules WHERE NOT paused`,
    );
    return { next: row?.next ?? null, buffered: row?.buffered ?? false };
  }

  /**
   * Moves a schedule past the tick it just handled; a compare-and-set on the
   * tick, so two leaders (a deposed one waking late) cannot both move it.
   */
  async advance(
    tx: Queryable,
    row: ScheduleRow,
    next: { nextFireAt: Date; firedAt?: Date; bufferedFireAt: Date | null },
  ): Promise<boolean> {
    const updated = await queryRows(
      tx,
      `UPDATE schedules SET next_fire_at = $3, last_fired_at = COALESCE($4, last_fired_at), buffered_fire_at = $5, updated_at = now()
        WHERE namespace = $1 AND name = $2 AND next_fire_at = $6 AND buffered_fire_at IS NOT DISTINCT FROM $7 RETURNING name`,
      [row.namespace, row.name, next.nextFireAt, next.firedAt ?? null, next.bufferedFireAt, row.nextFireAt, row.bufferedFireAt],
    );
    return updated.length > 0;
  }

  async setPaused(db: Queryable, namespace: string, name: string, paused: boolean, nextFireAt?: Date): Promise<ScheduleRow | undefined> {
    const [row] = await queryRows<ScheduleRow>(
      db,
      `UPDATE schedules SET paused = $3, next_fire_at = COALESCE($4, next_fire_at), buffered_fire_at = CASE WHEN $3 THEN NULL ELSE buffered_fire_at END, updated_at = now()
        WHERE namespace = $1 AND name = $2 RETURNING ${COLUMNS}`,
      [namespace, name, paused, nextFireAt ?? null],
    );
    return row;
  }
}

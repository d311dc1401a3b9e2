import type { Pool, PoolClient } from 'pg';
import { RESULTS_CHANNEL } from '@flowctl/core';
import { MicroBatcher } from './micro-batcher';
import { NotificationListener } from './notification-listener';
import { parseResultMessage } from './result-message.guard';
import {
  MAX_DELIVERIES,
  type ApplyResults,
  type ConsumeOptions,
  type ResultsBacklog,
  type ResultsChannel,
  type ResultsMark,
} from './results-channel';
import type { ResultMessage } from './task-job';

/** A missed notification, or reports a dead scheduler's connection gave back, wait at most this long. */
const IDLE_POLL_MS = 1_000;
/** Reports a worker sends while its previous insert is in flight go out together in one. */
const PUBLISH_BATCH = 500;
/** A report whose apply failed waits this long per delivery before its next try. */
const RETRY_STEP_MS = 500;

interface TakenRow {
  id: string;
  message: unknown;
  sent_at: Date;
  deliveries: number;
}

/**
 * Reports in a table on the queue database: the channel of BullMQ's PostgreSQL
 * backend (`npm run dev`), which has no streams. A report as a BullMQ job cost
 * three commits (add, claim, finish) and a retention sweep; here a worker's
 * concurrent reports are one INSERT, and a scheduler takes a batch with
 * `DELETE ... RETURNING` in a transaction it commits only after the engine's
 * own has: a scheduler that dies mid-batch rolls back, and the reports are
 * there again for the next (SKIP LOCKED keeps schedulers off each other's).
 */
export class PostgresResultsChannel implements ResultsChannel {
  private readonly quotedSchema: string;
  private readonly table: string;
  private readonly publisher = new MicroBatcher<ResultMessage>((messages) => this.insert(messages), PUBLISH_BATCH);
  private ready?: Promise<void>;

  constructor(
    private readonly pool: Pool,
    private readonly url: string,
    private readonly schema: string,
  ) {
    this.quotedSchema = `"${schema.replace(/"/g, '""')}"`;
    this.table = `${this.quotedSchema}.flowctl_results`;
  }

  /** The micro-batcher already gathers what is submitted together into one INSERT. */
  async publishMany(messages: readonly ResultMessage[]): Promise<void> {
    await Promise.all(messages.map((message) => this.publisher.submit(message)));
  }

  publish(message: ResultMessage): Promise<void> {
    return this.publisher.submit(message);
  }

  private async insert(messages: ResultMessage[]): Promise<void> {
    await this.ensureTable();
    // NOTIFY is delivered at commit, so a woken scheduler finds the rows.
    await this.pool.query(
      `WITH sent AS (INSERT INTO ${this.table} (message) SELECT value FROM jsonb_array_elements($1::jsonb) RETURNING 1)
       SELECT pg_notify('${RESULTS_CHANNEL}', $2)`,
      [JSON.stringify(messages), this.schema],
    );
  }

  /** Rows a scheduler holds in an open batch still count: they are not applied until it commits. */
  async backlog(): Promise<ResultsBacklog> {
    await this.ensureTable();
    const { rows } = await this.pool.query<{ reports: number; age: string | null }>(
      `SELECT count(*)::int AS reports, (extract(epoch FROM clock_timestamp() - min(sent_at)) * 1000)::bigint AS age FROM ${this.table}`,
    );
    const row = rows[0]!;
    return { reports: row.reports, oldestAgeMs: row.reports > 0 ? Math.max(0, Number(row.age ?? 0)) : 0 };
  }

  /** The database's clock: a report whose insert committed before this has an earlier `sent_at`. */
  async mark(): Promise<ResultsMark> {
    const { rows } = await this.pool.query<{ now: string }>(`SELECT clock_timestamp()::text AS now`);
    return rows[0]!.now;
  }

  /**
   * No report sent up to the mark is left: rows go when the batch that took them
   * commits, and one put back for another try keeps its `sent_at`, so it still counts.
   */
  async isSettledThrough(mark: ResultsMark): Promise<boolean> {
    await this.ensureTable();
    const { rows } = await this.pool.query<{ settled: boolean }>(
      `SELECT NOT EXISTS (SELECT 1 FROM ${this.table} WHERE sent_at <= $1::timestamptz) AS settled`,
      [mark],
    );
    return rows[0]!.settled;
  }

  /** This channel keeps no list of its readers, so outcomes never carry log lines on it. */
  async readersTakeLogTails(): Promise<boolean> {
    return false;
  }

  consume(_consumerId: string, apply: ApplyResults, options: ConsumeOptions) {
    let running = true;
    let notified = false;
    let wake: (() => void) | undefined;
    const listener = new NotificationListener(this.url, RESULTS_CHANNEL, (payload) => {
      // '' comes after a reconnect: anything may have been missed.
      if (payload !== '' && payload !== this.schema) return;
      notified = true;
      wake?.();
    });
    let listening = false;
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        if (notified || !running) return resolve();
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
      });
    const loop = (async () => {
      while (running) {
        let taken = 0;
        try {
          if (!listening)
            listening = await listener.start().then(
              () => true,
              () => false,
            );
          notified = false;
          taken = await this.takeAndApply(apply, options);
        } catch (error) {
          if (!running) break;
          options.onError(`results table: ${(error as Error).message}`);
        }
        // A full batch means more may wait: take the next at once.
        if (taken < options.batchSize) await pause(listening ? IDLE_POLL_MS : IDLE_POLL_MS / 4);
      }
    })();
    return {
      close: async () => {
        running = false;
        wake?.();
        await loop;
        await listener.stop();
      },
    };
  }

  /** Resolves how many reports it took (applied, dropped or put back for a later try). */
  private async takeAndApply(apply: ApplyResults, options: ConsumeOptions): Promise<number> {
    await this.ensureTable();
    const client = await this.checkOut();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<TakenRow>(
        `DELETE FROM ${this.table} WHERE id IN (
           SELECT id FROM ${this.table} WHERE visible_at <= clock_timestamp() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, message, sent_at, deliveries`,
        [options.batchSize],
      );
      if (rows.length > 0) await this.applyTaken(client, rows, apply, options);
      await client.query('COMMIT');
      client.release();
      return rows.length;
    } catch (error) {
      // A broken connection must not go back to the pool; a rollback gives the reports back.
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw error;
    }
  }

  private async applyTaken(client: PoolClient, rows: TakenRow[], apply: ApplyResults, options: ConsumeOptions): Promise<void> {
    const parsed: { row: TakenRow; message: ResultMessage }[] = [];
    for (const row of rows) {
      const message = parseResultMessage(row.message);
      if (message) parsed.push({ row, message });
    }
    if (parsed.length < rows.length) options.onError(`dropped ${rows.length - parsed.length} malformed report(s)`);
    const failed: TakenRow[] = [];
    try {
      await apply(parsed.map((entry) => entry.message));
    } catch {
      // One bad report must not hold back its neighbours: apply them one by one.
      for (const entry of parsed) {
        try {
          await apply([entry.message]);
        } catch (error) {
          options.onError(`could not apply a ${entry.message.kind} report, will retry: ${(error as Error).message}`);
          failed.push(entry.row);
        }
      }
    }
    const retry = failed.filter((row) => row.deliveries + 1 < MAX_DELIVERIES);
    if (retry.length < failed.length)
      options.onError(`dropped ${failed.length - retry.length} report(s) that failed ${MAX_DELIVERIES} times`);
    if (retry.length === 0) return;
    await client.query(
      `INSERT INTO ${this.table} (message, sent_at, deliveries, visible_at)
       SELECT r.message, r.sent_at, r.deliveries, clock_timestamp() + r.deliveries * interval '${RETRY_STEP_MS} milliseconds'
         FROM jsonb_to_recordset($1::jsonb) AS r(message jsonb, sent_at timestamptz, deliveries int)`,
      [JSON.stringify(retry.map((row) => ({ message: row.message, sent_at: row.sent_at, deliveries: row.deliveries + 1 })))],
    );
  }

  /**
   * The pool listens for errors of idle connections only: a session ended
   * under a checked-out one (restart, pg_terminate_backend) must reach the
   * query that fails, not crash the process as an unhandled 'error' event.
   */
  private async checkOut(): Promise<PoolClient> {
    const client = await this.pool.connect();
    if (client.listenerCount('error') === 0) client.on('error', () => undefined);
    return client;
  }

  /** The table lives beside BullMQ's in the queue schema and, like BullMQ's, is made by whichever process needs it first. */
  private ensureTable(): Promise<void> {
    this.ready ??= this.createTable().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async createTable(): Promise<void> {
    const client = await this.checkOut();
    try {
      await client.query('BEGIN');
      // Concurrent CREATE ... IF NOT EXISTS can still collide in the catalog: starters take turns.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`flowctl:results:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.quotedSchema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (
           id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
           message jsonb NOT NULL,
           sent_at timestamptz NOT NULL DEFAULT clock_timestamp(),
           visible_at timestamptz NOT NULL DEFAULT clock_timestamp(),
           deliveries integer NOT NULL DEFAULT 0
         )`,
      );
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw error;
    }
  }
}

import { queryEarliest, queryRows, type Queryable } from '../queryable';
import { TIMERS_CHANNEL } from '@flowctl/core';

export interface WorkerRow {
  id: string;
  host: string;
  types: string[];
  concurrency: number;
  version: string;
  status: string;
  running: number;
  startedAt: Date;
  lastHeartbeatAt: Date;
}

export interface SchedulerRow {
  id: string;
  host: string;
  startedAt: Date;
  lastSeenAt: Date;
}

/** The name of the lease row the schedulers elect their leader on; every leader-only write checks it. */
export const LEADER_LEASE = 'leader';

export interface Lease {
  holder: string;
  token: string;
  expiresAt: Date;
}

/** Workers, scheduler instances and the leader lease: who is in the cluster and who leads it. */
export class ClusterRepository {
  async upsertWorkers(db: Queryable, workers: readonly Omit<WorkerRow, 'startedAt'>[]): Promise<void> {
    if (workers.length === 0) return;
    // A worker that is new, or whose status changed, moves the liveness timer's next due time: the
    // leader may be asleep until a later one (or its longest sleep, with no worker before), so it is told.
    await db.query(
      `WITH before AS (SELECT id, status FROM workers WHERE id = ANY($1::text[])),
       upserted AS (
         INSERT INTO workers (id, host, types, concurrency, version, status, running, last_heartbeat_at)
         SELECT u.id, u.host, string_to_array(u.types, ','), u.concurrency, u.version, u.status, u.running, u.at
           FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::int[], $8::timestamptz[])
                AS u(id, host, types, concurrency, version, status, running, at)
         ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, types = EXCLUDED.types, concurrency = EXCLUDED.concurrency,
           version = EXCLUDED.version, status = EXCLUDED.status, running = EXCLUDED.running,
           last_heartbeat_at = GREATEST(workers.last_heartbeat_at, EXCLUDED.last_heartbeat_at)
         RETURNING id, status)
       SELECT pg_notify('${TIMERS_CHANNEL}', '') FROM upserted u LEFT JOIN before b ON b.id = u.id
        WHERE b.id IS NULL OR b.status IS DISTINCT FROM u.status LIMIT 1`,
      [
        workers.map((w) => w.id),
        workers.map((w) => w.host),
        workers.map((w) => w.types.join(',')),
        workers.map((w) => w.concurrency),
        workers.map((w) => w.version),
        workers.map((w) => w.status),
        workers.map((w) => w.running),
        workers.map((w) => w.lastHeartbeatAt),
      ],
    );
  }

  async listWorkers(db: Queryable, options: { afterId?: string; limit: number }): Promise<WorkerRow[]> {
    return queryRows<WorkerRow>(
      db,
      `SELECT id, host, types, concurrency, version, status, running, started_at AS "startedAt", last_heartbeat_at AS "lastHeartbeatAt"
         FROM workers WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [options.afterId ?? null, options.limit],
    );
  }

  /** Workers still counted as alive (active or draining) whose last heartbeat is older than lostAfterMs, by the database clock. */
  /** The task types these workers serve, each once. */
  async typesOf(db: Queryable, workerIds: readonly string[]): Promise<string[]> {
    if (workerIds.length === 0) return [];
    const rows = await queryRows<{ type: string }>(db, `SELECT DISTINCT unnest(types) AS type FROM workers WHERE id = ANY($1::text[])`, [
      workerIds,
    ]);
    return rows.map((row) => row.type);
  }

  async silentWorkers(db: Queryable, lostAfterMs: number, limit: number): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      db,
      `SELECT id FROM workers WHERE status IN ('active', 'draining')
          AND last_heartbeat_at < now() - make_interval(secs => $1::double precision / 1000) ORDER BY last_heartbeat_at LIMIT $2`,
      [lostAfterMs, limit],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Marks these workers lost, unless a heartbeat landed since they were found
   * silent (the condition is checked again under the row lock).
   */
  async markWorkersLost(db: Queryable, ids: readonly string[], lostAfterMs: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE workers SET status = 'lost', running = 0
        WHERE id = ANY($1::text[]) AND status IN ('active', 'draining')
          AND last_heartbeat_at < now() - make_interval(secs => $2::double precision / 1000)
        RETURNING id`,
      [ids, lostAfterMs],
    );
    return rows.map((row) => row.id);
  }

  /** When the quietest live worker will count as lost if it stays quiet. */
  /** Of these workers, the ones marked lost. */
  /** One worker as it registered: what another scheduler needs to keep an HTTP worker's registration current. */
  async findWorker(db: Queryable, id: string): Promise<WorkerRow | undefined> {
    const [row] = await queryRows<WorkerRow>(
      db,
      `SELECT id, host, types, concurrency, version, status, running, started_at AS "startedAt", last_heartbeat_at AS "lastHeartbeatAt"
         FROM workers WHERE id = $1`,
      [id],
    );
    return row;
  }

  async lostAmong(db: Queryable, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await queryRows<{ id: string }>(db, `SELECT id FROM workers WHERE id = ANY($1::text[]) AND status = 'lost'`, [ids]);
    return rows.map((row) => row.id);
  }

  async nextWorkerLostAt(db: Queryable, lostAfterMs: number): Promise<Date | null> {
    return queryEarliest(
      db,
      `SELECT min(last_heartbeat_at) + make_interval(secs => $1::double precision / 1000) AS at FROM workers WHERE status IN ('active', 'draining')`,
      [lostAfterMs],
    );
  }

  async touchScheduler(db: Queryable, id: string, host: string): Promise<void> {
    await db.query(`INSERT INTO schedulers (id, host) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET last_seen_at = now()`, [id, host]);
  }

  async removeScheduler(db: Queryable, id: string): Promise<void> {
    await db.query(`DELETE FROM schedulers WHERE id = $1`, [id]);
  }

  async listSchedulers(db: Queryable, seenWithinMs: number): Promise<SchedulerRow[]> {
    return queryRows<SchedulerRow>(
      db,
      `SELECT id, host, started_at AS "startedAt", last_seen_at AS "lastSeenAt" FROM schedulers
        WHERE last_seen_at > now() - make_interval(secs => $1::double precision / 1000) ORDER BY started_at, id`,
      [seenWithinMs],
    );
  }

  /**
   * Takes or renews the named lease. The token grows by one each time the
   * holder changes, so a deposed leader's writes (which carry its old token)
   * can be refused by `holdsLease`.
   */
  async acquireLease(db: Queryable, name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    const [row] = await queryRows<Lease>(
      db,
      `INSERT INTO leader_lease (name, holder, token, expires_at) VALUES ($1, $2, 1, now() + make_interval(secs => $3::double precision / 1000))
       ON CONFLICT (name) DO UPDATE
         SET holder = EXCLUDED.holder,
             token = CASE WHEN leader_lease.holder = EXCLUDED.holder THEN leader_lease.token ELSE leader_lease.token + 1 END,
             expires_at = EXCLUDED.expires_at
         WHERE leader_lease.holder = EXCLUDED.holder OR leader_lease.expires_at < now()
       RETURNING holder, token, expires_at AS "expiresAt"`,
      [name, holder, ttlMs],
    );
    return row;
  }

  async releaseLease(db: Queryable, name: string, holder: string): Promise<void> {
    await db.query(`UPDATE leader_lease SET expires_at = now() - interval '1 second' WHERE name = $1 AND holder = $2`, [name, holder]);
  }

  async currentLease(db: Queryable, name: string): Promise<Lease | undefined> {
    const [row] = await queryRows<Lease>(
      db,
      `SELECT holder, token, expires_at AS "expiresAt" FROM leader_lease WHERE name = $1 AND expires_at > now()`,
      [name],
    );
    return row;
  }

  /** Fencing check inside a leader duty's transaction: locks the lease row so it cannot change hands mid-duty. */
  async holdsLease(tx: Queryable, name: string, holder: string, token: string): Promise<boolean> {
    const rows = await queryRows(
      tx,
      `SELECT 1 FROM leader_lease WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > now() FOR SHARE`,
      [name, holder, token],
    );
    return rows.length > 0;
  }
}

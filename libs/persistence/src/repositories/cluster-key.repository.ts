import { queryRows, type Queryable } from '../queryable';

/** Keys every scheduler of the cluster shares (the HTTP workers' lease signing key), made once by whoever needs one first. */
export class ClusterKeyRepository {
  /** The key of this name; `candidate` becomes it when there is none yet (the first writer wins, every reader sees the same). */
  async getOrCreate(db: Queryable, name: string, candidate: Buffer): Promise<Buffer> {
    await db.query(`INSERT INTO cluster_keys (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, candidate]);
    const rows = await queryRows<{ key: Buffer }>(db, `SELECT key FROM cluster_keys WHERE name = $1`, [name]);
    return rows[0]!.key;
  }
}

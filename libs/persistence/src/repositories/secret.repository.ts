import { queryRows, type Queryable } from '../queryable';

/** A secret as stored: only its ciphertext, under the key `keyId`. */
export interface SecretRow {
  namespace: string;
  name: string;
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
  createdAt: Date;
  updatedAt: Date;
}

export type SecretSummary = Pick<SecretRow, 'namespace' | 'name' | 'keyId' | 'createdAt' | 'updatedAt'>;

const SUMMARY_COLUMNS = `namespace, name, key_id AS "keyId", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Sealed secrets by namespace and name; values never leave this table in clear, nor enter it. */
export class SecretRepository {
  /** Returns whether the secret was new. */
  async upsert(db: Queryable, row: Pick<SecretRow, 'namespace' | 'name' | 'keyId' | 'nonce' | 'ciphertext'>): Promise<boolean> {
    const [result] = await queryRows<{ created: boolean }>(
      db,
      `INSERT INTO secrets (namespace, name, key_id, nonce, ciphertext) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (namespace, name) DO UPDATE SET key_id = EXCLUDED.key_id, nonce = EXCLUDED.nonce,
         ciphertext = EXCLUDED.ciphertext, updated_at = now()
       RETURNING (xmax = 0) AS created`,
      [row.namespace, row.name, row.keyId, row.nonce, row.ciphertext],
    );
    return result?.created ?? false;
  }

  async list(db: Queryable, namespace: string): Promise<SecretSummary[]> {
    return queryRows<SecretSummary>(db, `SELECT ${SUMMARY_COLUMNS} FROM secrets WHERE namespace = $1 ORDER BY name`, [namespace]);
  }

  /** Returns whether there was one to delete. */
  async delete(db: Queryable, namespace: string, name: string): Promise<boolean> {
    const deleted = await queryRows(db, `DELETE FROM secrets WHERE namespace = $1 AND name = $2 RETURNING name`, [namespace, name]);
    return deleted.length > 0;
  }

  /** The sealed rows for these (namespace, name) pairs; absent ones are simply not returned. */
  async findSealed(db: Queryable, wanted: readonly { namespace: string; name: string }[]): Promise<SecretRow[]> {
    if (wanted.length === 0) return [];
    return queryRows<SecretRow>(
      db,
      `SELECT s.namespace, s.name, s.key_id AS "keyId", s.nonce, s.ciphertext, s.created_at AS "createdAt", s.updated_at AS "updatedAt"
         FROM secrets s JOIN unnest($1::text[], $2::text[]) AS w(namespace, name) ON s.namespace = w.namespace AND s.name = w.name`,
      [wanted.map((w) => w.namespace), wanted.map((w) => w.name)],
    );
  }
}

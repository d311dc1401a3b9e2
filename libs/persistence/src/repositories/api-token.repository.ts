import { queryRows, type Queryable } from '../queryable';

/** `worker`: takes and reports tasks of its namespaces over the HTTP worker protocol, and nothing else. */
export type TokenRole = 'viewer' | 'operator' | 'admin' | 'worker' | 'emitter';

export interface ApiTokenRow {
  id: string;
  name: string;
  role: TokenRole;
  /** null: every namespace. */
  namespaces: string[] | null;
  tokenHash: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export type NewApiToken = Pick<ApiTokenRow, 'id' | 'name' | 'role' | 'namespaces' | 'tokenHash' | 'createdBy' | 'expiresAt'>;

const COLUMNS = `id, name, role, namespaces, token_hash AS "tokenHash", created_by AS "createdBy", created_at AS "createdAt",
  expires_at AS "expiresAt", revoked_at AS "revokedAt", last_used_at AS "lastUsedAt"`;

export class ApiTokenRepository {
  async insert(db: Queryable, token: NewApiToken): Promise<ApiTokenRow> {
    const [row] = await queryRows<ApiTokenRow>(
      db,
      `INSERT INTO api_tokens (id, name, role, namespaces, token_hash, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [token.id, token.name, token.role, token.namespaces, token.tokenHash, token.createdBy, token.expiresAt],
    );
    return row!;
  }

  async find(db: Queryable, id: string): Promise<ApiTokenRow | undefined> {
    const [row] = await queryRows<ApiTokenRow>(db, `SELECT ${COLUMNS} FROM api_tokens WHERE id = $1`, [id]);
    return row;
  }

  /** Newest first; revoked tokens are listed too (with revokedAt), so an audit can name them. */
  async list(db: Queryable, options: { before?: string; limit: number }): Promise<ApiTokenRow[]> {
    return queryRows<ApiTokenRow>(db, `SELECT ${COLUMNS} FROM api_tokens WHERE ($1::uuid IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`, [
      options.before ?? null,
      options.limit,
    ]);
  }

  async revoke(db: Queryable, id: string): Promise<ApiTokenRow | undefined> {
    const [row] = await queryRows<ApiTokenRow>(
      db,
      `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    );
    return row;
  }

  /** Whether any token was ever created (revoked ones count): from then on, the API asks every request for one. */
  async anyIssued(db: Queryable): Promise<boolean> {
    const [row] = await queryRows<{ any: boolean }>(db, `SELECT EXISTS (SELECT 1 FROM api_tokens) AS any`);
    return row?.any ?? false;
  }

  /** Coarse (once a minute per token), so a busy client does not turn every read into a write. */
  async touch(db: Queryable, id: string): Promise<void> {
    await db.query(
      `UPDATE api_tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }
}

import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';

export interface DatabaseOptions {
  url: string;
  /** Connections in the pool; the engine's batches need few, the API a handful. */
  poolSize?: number;
  logging?: boolean;
}

/** Schema changes only ever come from migrations; `synchronize` stays off everywhere. */
export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    // No entities: repositories send their own SQL and the migrations are the schema (docs/adr/0016).
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'flowctl_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: options.logging ?? false,
    extra: { max: options.poolSize ?? 10, application_name: 'flowctl' },
  });
}

/**
 * Runs pending migrations under an advisory lock so that several schedulers
 * starting together do not race each other through the same migration.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(7310001)');
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(7310001)').catch(() => undefined);
    await runner.release();
  }
}

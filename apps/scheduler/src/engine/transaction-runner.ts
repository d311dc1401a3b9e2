import { Injectable, Logger } from '@nestjs/common';
import { inPgTransaction, poolOf, PooledStatements, type PgTransaction, type Queryable } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { EngineMetrics } from '../metrics/engine-metrics';

/** Deadlocks and serialisation failures are resolved by running the whole unit again. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);
const MAX_TRIES = 5;

/** Hooks of the transactions in progress, by their entity manager (a WeakMap: no async-context tracking on the hot path). */
const commitHooks = new WeakMap<object, (() => void)[]>();

/**
 * Runs `hook` once the transaction `tx` belongs to has committed (at once if `tx` is no transaction of
 * this runner). A try that rolls back drops its hooks, so in-memory counters count what was committed, once.
 */
export function afterCommit(tx: object, hook: () => void): void {
  const hooks = commitHooks.get(tx);
  if (hooks) hooks.push(hook);
  else hook();
}

@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);
  private pooled?: PooledStatements;

  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: EngineMetrics,
  ) {}

  /** For reads outside a transaction. */
  get db(): DataSource {
    return this.dataSource;
  }

  /** For hot statements that commit on their own: prepared by name on the same pool (PooledStatements). */
  get statements(): Queryable {
    // Made on first use: the DataSource opens its pool when it is initialised, after this is constructed.
    return (this.pooled ??= new PooledStatements(poolOf(this.dataSource)));
  }

  async run<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const hooks: (() => void)[] = [];
        let transaction: PgTransaction | undefined;
        const result = await inPgTransaction(poolOf(this.dataSource), (tx) => {
          transaction = tx;
          commitHooks.set(tx, hooks);
          return work(tx);
        });
        if (transaction && transaction.roundTrips > 0) this.metrics.transactionCommitted(transaction.roundTrips);
        for (const hook of hooks) hook();
        return result;
      } catch (error) {
        const code = (error as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;
        if (!code || !RETRYABLE_SQLSTATES.has(code) || attempt >= MAX_TRIES) throw error;
        this.logger.warn(`transaction hit ${code}, retrying (${attempt}/${MAX_TRIES})`);
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20));
      }
    }
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { inPgTransaction, poolOf, type Queryable } from '@flowctl/persistence';
import { DataSource } from 'typeorm';

/** Deadlocks and serialisation failures are resolved by running the whole unit again. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);
const MAX_TRIES = 5;

@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);

  constructor(private readonly dataSource: DataSource) {}

  /** For reads outside a transaction. */
  get db(): DataSource {
    return this.dataSource;
  }

  async run<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inPgTransaction(poolOf(this.dataSource), work);
      } catch (error) {
        const code = (error as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;
        if (!code || !RETRYABLE_SQLSTATES.has(code) || attempt >= MAX_TRIES) throw error;
        this.logger.warn(`transaction hit ${code}, retrying (${attempt}/${MAX_TRIES})`);
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20));
      }
    }
  }
}

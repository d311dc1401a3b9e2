import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ClusterKeyRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';

const KEY_NAME = 'worker-lease-signing';

/** The key that signs leases, shared by every scheduler through PostgreSQL and read once per process. */
@Injectable()
export class LeaseKey {
  private key?: Promise<Buffer>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ClusterKeyRepository,
  ) {}

  get(): Promise<Buffer> {
    this.key ??= this.keys.getOrCreate(this.dataSource, KEY_NAME, randomBytes(32)).catch((error: unknown) => {
      this.key = undefined; // a database hiccup must not poison every later call
      throw error;
    });
    return this.key;
  }
}

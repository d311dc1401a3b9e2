import { Injectable, Logger } from '@nestjs/common';
import { AuditLogRepository, type AuditOutcome } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import type { Principal } from './principal';

export interface AuditedChange {
  principal: Principal;
  action: string;
  target: string | null;
  namespace: string | null;
  statusCode: number;
  message: string | null;
}

/** Writes one audit row per change attempted through the API; a failed write is logged, never fails the request. */
@Injectable()
export class AuditRecorder {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly dataSource: DataSource,
    private readonly auditLog: AuditLogRepository,
  ) {}

  async record(change: AuditedChange): Promise<void> {
    const outcome: AuditOutcome = change.statusCode < 400 ? 'succeeded' : change.statusCode === 403 ? 'denied' : 'failed';
    try {
      await this.auditLog.add(this.dataSource, {
        actor: change.principal.actor,
        tokenId: change.principal.tokenId,
        action: change.action,
        target: storable(change.target),
        namespace: change.namespace,
        outcome,
        statusCode: change.statusCode,
        message: storable(change.message),
      });
    } catch (error) {
      this.logger.error(`audit row not written for ${change.action} by ${change.principal.actor}: ${(error as Error).message}`);
    }
  }
}

/** A refused request's target or message may quote its U+0000, which PostgreSQL's text cannot hold: written escaped. */
const storable = (text: string | null): string | null => text?.replaceAll('\u0000', '\\u0000') ?? null;

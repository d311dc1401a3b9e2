import { Controller } from '@nestjs/common';
import type { QueryOf, ResponseOf } from '@flowctl/api-contract';
import { AuditLogRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { ClusterWide, RequireRole } from '../auth/auth-metadata';
import { ContractQuery, Route } from './contract-route';
import { decodeCursor, isBigintIdField, page } from './cursor';
import { auditView } from './views';

const isIdCursor = (value: unknown): value is { id: string } =>
  typeof value === 'object' && value !== null && isBigintIdField((value as { id?: unknown }).id);

@Controller()
@RequireRole('admin')
@ClusterWide()
export class AuditController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly auditLog: AuditLogRepository,
  ) {}

  @Route('listAudit')
  async list(@ContractQuery() query: QueryOf<'listAudit'>): Promise<ResponseOf<'listAudit'>> {
    const size = query.limit;
    const rows = await this.auditLog.list(this.dataSource, { beforeId: decodeCursor(query.cursor, isIdCursor)?.id, limit: size + 1 });
    const result = page(rows, size, (last) => ({ id: last.id }));
    return { ...result, items: result.items.map(auditView) };
  }
}

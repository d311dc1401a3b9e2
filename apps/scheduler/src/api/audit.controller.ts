import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditLogRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { ClusterWide, RequireRole } from '../auth/auth-metadata';
import { decodeCursor, isBigintIdField, page, parseLimit } from './cursor';

const isIdCursor = (value: unknown): value is { id: string } =>
  typeof value === 'object' && value !== null && isBigintIdField((value as { id?: unknown }).id);

@ApiTags('audit')
@Controller('audit')
@RequireRole('admin')
@ClusterWide()
export class AuditController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly auditLog: AuditLogRepository,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every change made through the API, newest first: who, what, target, namespace, when, outcome' })
  async list(@Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    const size = parseLimit(limit, 100);
    const rows = await this.auditLog.list(this.dataSource, { beforeId: decodeCursor(cursor, isIdCursor)?.id, limit: size + 1 });
    return page(rows, size, (last) => ({ id: last.id }));
  }
}

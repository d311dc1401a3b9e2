import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InvalidInput, NotFound, parseDuration } from '@flowctl/core';
import { ApiTokenRepository, uuidV7, type ApiTokenRow } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { hashToken, newTokenSecret } from '../auth/api-token-secret';
import { Audited, CallerAccess, ClusterWide, RequireRole } from '../auth/auth-metadata';
import { isRole, ROLES } from '../auth/role';
import { decodeCursor, isUuidField, page, parseLimit } from './cursor';
import { namespaceParam } from './request-params';

const isIdCursor = (value: unknown): value is { id: string } =>
  typeof value === 'object' && value !== null && isUuidField((value as { id?: unknown }).id);
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@:-]{0,62}$/;
/** Ten years: past that, "expires" is a typo. */
const MAX_EXPIRY_MS = 3650 * 86_400_000;

/** The stored token, never its secret nor its hash. */
const tokenView = (token: ApiTokenRow) => ({
  id: token.id,
  name: token.name,
  role: token.role,
  namespaces: token.namespaces ?? ['*'],
  createdBy: token.createdBy,
  createdAt: token.createdAt,
  expiresAt: token.expiresAt,
  revokedAt: token.revokedAt,
  lastUsedAt: token.lastUsedAt,
});

@ApiTags('tokens')
@Controller('tokens')
@RequireRole('admin')
@ClusterWide()
export class TokensController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: ApiTokenRepository,
  ) {}

  @Post()
  @Audited('token.create')
  @ApiOperation({ summary: 'Create an API token {role, namespaces?, name?, expiresIn?}; the token is in this answer only' })
  async create(@Body() body: unknown, @CallerAccess() access: Access) {
    const request = (body ?? {}) as Record<string, unknown>;
    if (typeof request !== 'object' || Array.isArray(request)) throw new InvalidInput('body must be a JSON object');
    const unknown = Object.keys(request).filter((key) => !['role', 'namespaces', 'name', 'expiresIn'].includes(key));
    if (unknown.length > 0)
      throw new InvalidInput(`unknown field(s) ${unknown.join(', ')}: expected {role, namespaces?, name?, expiresIn?}`);
    if (!isRole(request.role)) throw new InvalidInput(`role must be one of ${ROLES.join(', ')}`);
    const namespaces = namespacesOf(request.namespaces);
    const name = request.name ?? `${request.role}-${namespaces?.join('+') ?? 'all'}`;
    if (typeof name !== 'string' || !TOKEN_NAME.test(name)) throw new InvalidInput('name must be 1-63 letters, digits, spaces or ._@:-');
    let expiresAt: Date | null = null;
    if (request.expiresIn !== undefined) {
      const ms = parseDuration(request.expiresIn);
      if (!ms || ms > MAX_EXPIRY_MS) throw new InvalidInput('expiresIn must be a duration such as 30d, at most 3650d');
      expiresAt = new Date(Date.now() + ms);
    }
    const id = uuidV7();
    const secret = newTokenSecret(id);
    const row = await this.tokens.insert(this.dataSource, {
      id,
      name,
      role: request.role,
      namespaces,
      tokenHash: hashToken(secret),
      createdBy: access.principal.actor,
      expiresAt,
    });
    return { ...tokenView(row), token: secret };
  }

  @Get()
  @ApiOperation({ summary: 'API tokens, newest first (never the token itself)' })
  async list(@Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    const size = parseLimit(limit, 100);
    const rows = await this.tokens.list(this.dataSource, { before: decodeCursor(cursor, isIdCursor)?.id, limit: size + 1 });
    const result = page(rows, size, (last) => ({ id: last.id }));
    return { ...result, items: result.items.map(tokenView) };
  }

  @Delete(':id')
  @HttpCode(200)
  @Audited('token.revoke')
  @ApiOperation({ summary: 'Revoke a token: it is refused from the next request on' })
  async revoke(@Param('id') id: string) {
    const row = isUuidField(id) ? await this.tokens.revoke(this.dataSource, id.toLowerCase()) : undefined;
    if (!row) throw new NotFound(`token ${id} not found`);
    return tokenView(row);
  }
}

/** Absent or `*`: every namespace (null in the table). */
function namespacesOf(value: unknown): string[] | null {
  if (value === undefined || value === null || value === '*') return null;
  const list = typeof value === 'string' ? value.split(',').map((part) => part.trim()) : value;
  if (!Array.isArray(list) || list.length === 0) throw new InvalidInput('namespaces must be a list of namespace names, or "*"');
  if (list.includes('*')) return null;
  return [...new Set(list.map((name) => namespaceParam(name)))];
}

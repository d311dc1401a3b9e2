import { Controller, Param } from '@nestjs/common';
import type { BodyOf, QueryOf, ResponseOf } from '@flowctl/api-contract';
import { InvalidInput, NotFound, parseDuration } from '@flowctl/core';
import { ApiTokenRepository, uuidV7 } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { hashToken, newTokenSecret } from '../auth/api-token-secret';
import { Audited, CallerAccess, ClusterWide, RequireRole } from '../auth/auth-metadata';
import { ContractBody, ContractQuery, Route } from './contract-route';
import { decodeCursor, isUuidField, page } from './cursor';
import { namespaceParam } from './request-params';
import { tokenView } from './views';
import { Authenticator } from '../auth/authenticator';

const isIdCursor = (value: unknown): value is { id: string } =>
  typeof value === 'object' && value !== null && isUuidField((value as { id?: unknown }).id);
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@:-]{0,62}$/;
/** Ten years: past that, "expires" is a typo. */
const MAX_EXPIRY_MS = 3650 * 86_400_000;

@Controller()
@RequireRole('admin')
@ClusterWide()
export class TokensController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: ApiTokenRepository,
    private readonly authenticator: Authenticator,
  ) {}

  @Route('createToken')
  @Audited('token.create')
  async create(@ContractBody() request: BodyOf<'createToken'>, @CallerAccess() access: Access): Promise<ResponseOf<'createToken'>> {
    const namespaces = namespacesOf(request.namespaces);
    const name = request.name ?? `${request.role}-${namespaces?.join('+') ?? 'all'}`;
    if (!TOKEN_NAME.test(name)) throw new InvalidInput('name must be 1-63 letters, digits, spaces or ._@:-');
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

  @Route('listTokens')
  async list(@ContractQuery() query: QueryOf<'listTokens'>): Promise<ResponseOf<'listTokens'>> {
    const size = query.limit;
    const rows = await this.tokens.list(this.dataSource, { before: decodeCursor(query.cursor, isIdCursor)?.id, limit: size + 1 });
    const result = page(rows, size, (last) => ({ id: last.id }));
    return { ...result, items: result.items.map(tokenView) };
  }

  @Route('revokeToken')
  @Audited('token.revoke')
  async revoke(@Param('id') id: string): Promise<ResponseOf<'revokeToken'>> {
    const row = isUuidField(id) ? await this.tokens.revoke(this.dataSource, id.toLowerCase()) : undefined;
    if (!row) throw new NotFound(`token ${id} not found`);
    this.authenticator.tokenChanged(row.id);
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

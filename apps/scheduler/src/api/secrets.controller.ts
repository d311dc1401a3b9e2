import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFound } from '@flowctl/core';
import { SecretRepository, type SecretSummary } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { Audited, CallerAccess, RequireRole } from '../auth/auth-metadata';
import { checkSecretName, SetSecretUseCase } from '../use-cases/set-secret/set-secret.use-case';

/** Names and dates only: no endpoint ever answers with a value or a ciphertext. */
export const secretView = (secret: SecretSummary) => ({
  name: secret.name,
  namespace: secret.namespace,
  keyId: secret.keyId,
  createdAt: secret.createdAt,
  updatedAt: secret.updatedAt,
});

@ApiTags('secrets')
@Controller('secrets')
export class SecretsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretRepository,
    private readonly setSecret: SetSecretUseCase,
  ) {}

  /** A viewer may know which secrets exist (names and dates), never more. */
  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The secrets of a namespace: names, key id and dates, never values' })
  async list(@CallerAccess() access: Access, @Query('namespace') namespace?: string) {
    const secrets = await this.secrets.list(this.dataSource, this.namespace(access, namespace));
    return { items: secrets.map(secretView) };
  }

  // The audit log records who set which name; the value is in no message of this path.
  @Put(':name')
  @HttpCode(200)
  @RequireRole('admin')
  @Audited('secret.set')
  @ApiOperation({ summary: 'Create or replace a secret: body {value}; stored encrypted, never returned' })
  async put(@Param('name') name: string, @Body() body: unknown, @CallerAccess() access: Access, @Query('namespace') namespace?: string) {
    return this.setSecret.execute(this.namespace(access, namespace), name, body);
  }

  @Delete(':name')
  @HttpCode(200)
  @RequireRole('admin')
  @Audited('secret.delete')
  @ApiOperation({ summary: 'Delete a secret; tasks that read it then fail as SecretNotFound' })
  async delete(@Param('name') name: string, @CallerAccess() access: Access, @Query('namespace') namespace?: string) {
    const ns = this.namespace(access, namespace);
    if (!(await this.secrets.delete(this.dataSource, ns, checkSecretName(name))))
      throw new NotFound(`secret "${name}" not found in namespace "${ns}"`);
    return { namespace: ns, name, result: 'deleted' };
  }

  /** Secrets are addressed by namespace, which the client names: outside the token's namespaces is 403. */
  private namespace(access: Access, namespace: string | undefined): string {
    const ns = access.namespaceOf(namespace);
    access.assertAllowed(ns);
    return ns;
  }
}

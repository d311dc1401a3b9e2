import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFound } from '@flowctl/core';
import { SecretRepository, type SecretSummary } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { checkSecretName, SetSecretUseCase } from '../use-cases/set-secret/set-secret.use-case';
import { namespaceParam } from './request-params';

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

  // Role: viewer (names and dates only).
  @Get()
  @ApiOperation({ summary: 'The secrets of a namespace: names, key id and dates, never values' })
  async list(@Query('namespace') namespace?: string) {
    const secrets = await this.secrets.list(this.dataSource, namespaceParam(namespace));
    return { items: secrets.map(secretView) };
  }

  // Role: admin.
  @Put(':name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or replace a secret: body {value}; stored encrypted, never returned' })
  async put(@Param('name') name: string, @Body() body: unknown, @Query('namespace') namespace?: string) {
    return this.setSecret.execute(namespaceParam(namespace), name, body);
  }

  // Role: admin.
  @Delete(':name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a secret; tasks that read it then fail as SecretNotFound' })
  async delete(@Param('name') name: string, @Query('namespace') namespace?: string) {
    const ns = namespaceParam(namespace);
    if (!(await this.secrets.delete(this.dataSource, ns, checkSecretName(name))))
      throw new NotFound(`secret "${name}" not found in namespace "${ns}"`);
    return { namespace: ns, name, result: 'deleted' };
  }
}

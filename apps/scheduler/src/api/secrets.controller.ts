import { Controller, Param } from '@nestjs/common';
import type { BodyOf, QueryOf, ResponseOf } from '@flowctl/api-contract';
import { NotFound } from '@flowctl/core';
import { SecretRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { Audited, CallerAccess, RequireRole } from '../auth/auth-metadata';
import { checkSecretName, SetSecretUseCase } from '../use-cases/set-secret/set-secret.use-case';
import { ContractBody, ContractQuery, Route } from './contract-route';
import { secretView } from './views';

@Controller()
export class SecretsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretRepository,
    private readonly setSecret: SetSecretUseCase,
  ) {}

  /** A viewer may know which secrets exist (names and dates), never more. */
  @Route('listSecrets')
  @RequireRole('viewer')
  async list(@CallerAccess() access: Access, @ContractQuery() query: QueryOf<'listSecrets'>): Promise<ResponseOf<'listSecrets'>> {
    const secrets = await this.secrets.list(this.dataSource, this.namespace(access, query.namespace));
    return { items: secrets.map(secretView) };
  }

  // The audit log records who set which name; the value is in no message of this path.
  @Route('setSecret')
  @RequireRole('admin')
  @Audited('secret.set')
  async put(
    @Param('name') name: string,
    @ContractBody() body: BodyOf<'setSecret'>,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'setSecret'>,
  ): Promise<ResponseOf<'setSecret'>> {
    return this.setSecret.execute(this.namespace(access, query.namespace), name, body);
  }

  @Route('deleteSecret')
  @RequireRole('admin')
  @Audited('secret.delete')
  async delete(
    @Param('name') name: string,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'deleteSecret'>,
  ): Promise<ResponseOf<'deleteSecret'>> {
    const ns = this.namespace(access, query.namespace);
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

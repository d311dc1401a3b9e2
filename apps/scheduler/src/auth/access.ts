import { DEFAULT_NAMESPACE, NotFound } from '@flowctl/core';
import { namespaceParam } from '../api/request-params';
import { Forbidden } from './auth-errors';
import { ALL_NAMESPACES, type Principal } from './principal';

/**
 * What one request may see and touch, and what it touched (for the audit
 * log). Another namespace's object is answered as missing (404), so a token
 * never learns what exists outside its namespaces; a namespace the client
 * names itself (a list filter, an applied document) is refused with 403.
 */
export class Access {
  /** The namespace the request acted in, recorded by the checks below. */
  namespace: string | null = null;

  constructor(readonly principal: Principal) {}

  get isClusterWide(): boolean {
    return this.principal.namespaces === ALL_NAMESPACES;
  }

  canSee(namespace: string): boolean {
    return this.principal.namespaces === ALL_NAMESPACES || this.principal.namespaces.includes(namespace);
  }

  /**
   * The namespace a request addresses: `?namespace=` when given, else the
   * token's own when it has exactly one (a team's token needs no flag), else
   * `default`.
   */
  namespaceOf(param: unknown): string {
    if (param !== undefined && param !== '') return namespaceParam(param);
    const own = this.principal.namespaces;
    return own !== ALL_NAMESPACES && own.length === 1 ? own[0]! : DEFAULT_NAMESPACE;
  }

  /** Reads and writes of an object by id or name: outside the token's namespaces it does not exist. */
  assertVisible(namespace: string, notFoundMessage: string): void {
    if (!this.canSee(namespace)) throw new NotFound(notFoundMessage);
    this.namespace = namespace;
  }

  /** A namespace the client chose itself (an applied document, a list filter). */
  assertAllowed(namespace: string): void {
    if (!this.canSee(namespace)) throw new Forbidden(`this token has no access to namespace "${namespace}"`);
    this.namespace = namespace;
  }

  /** The namespaces a list may show: the filter asked for (checked), else all the token sees (undefined: no filter). */
  listFilter(param: unknown): readonly string[] | undefined {
    if (param !== undefined && param !== '') {
      const namespace = namespaceParam(param);
      this.assertAllowed(namespace);
      return [namespace];
    }
    return this.principal.namespaces === ALL_NAMESPACES ? undefined : this.principal.namespaces;
  }
}

import { Controller, Param, Req } from '@nestjs/common';
import type { BodyOf, QueryOf, ResponseOf } from '@flowctl/api-contract';
import { isValidName, NotFound } from '@flowctl/core';
import { EventRepository, type EventRow } from '@flowctl/persistence';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { Audited, CallerAccess, Public, RequireRole } from '../auth/auth-metadata';
import { rawBodyOf } from '../http/event-body';
import { EVENT_EMIT, ReceiveEventUseCase } from '../use-cases/receive-event/receive-event.use-case';
import { TriggerListeners } from '../use-cases/receive-event/trigger-listeners';
import { ReceiveHookUseCase } from '../use-cases/receive-hook/receive-hook.use-case';
import { ContractBody, ContractQuery, Route } from './contract-route';
import { decodeCursor, isTimestampField, page } from './cursor';
import { namespaceParam } from './request-params';
import { iso } from './views';

const isEventCursor = (value: unknown): value is { receivedAt: string; namespace: string; id: string } =>
  typeof value === 'object' &&
  value !== null &&
  isTimestampField((value as { receivedAt?: unknown }).receivedAt) &&
  typeof (value as { namespace?: unknown }).namespace === 'string' &&
  typeof (value as { id?: unknown }).id === 'string';

const eventView = (event: EventRow): ResponseOf<'getEvent'> => ({ ...event, data: event.data ?? null, receivedAt: iso(event.receivedAt) });

/** A malformed name cannot name a declared hook: a 404, as for any unknown one. */
function hookNameParam(value: string): string {
  if (!isValidName(value)) throw new NotFound(`hook "${value}" not found`);
  return value;
}

/** Events in: sent with a token (`emitter` and up), or by a signing service to a hook; and the record of them. */
@Controller()
export class EventsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventRepository,
    private readonly listeners: TriggerListeners,
    private readonly receiveEvent: ReceiveEventUseCase,
    private readonly receiveHook: ReceiveHookUseCase,
  ) {}

  @Route('emitEvent')
  @RequireRole('emitter')
  @Audited(EVENT_EMIT, { successInTransaction: true })
  async emit(
    @ContractBody() body: BodyOf<'emitEvent'>,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'emitEvent'>,
  ): Promise<ResponseOf<'emitEvent'>> {
    const namespace = access.namespaceOf(query.namespace);
    access.assertAllowed(namespace);
    const listeners = await this.listeners.of(namespace, 'event', body.name);
    const event = await this.receiveEvent.execute(
      {
        namespace,
        name: body.name,
        ...(body.id !== undefined ? { id: body.id } : {}),
        data: body.data ?? null,
        source: 'api',
        sender: { actor: access.principal.actor, tokenId: access.principal.tokenId },
      },
      listeners,
    );
    return eventView(event);
  }

  @Route('listEvents')
  @RequireRole('viewer')
  async list(@CallerAccess() access: Access, @ContractQuery() query: QueryOf<'listEvents'>): Promise<ResponseOf<'listEvents'>> {
    const after = decodeCursor(query.cursor, isEventCursor);
    const rows = await this.events.list(this.dataSource, {
      namespaces: access.listFilter(query.namespace),
      name: query.name,
      outcome: query.outcome,
      after: after ? { ...after, receivedAt: new Date(after.receivedAt) } : undefined,
      limit: query.limit + 1,
    });
    const result = page(rows, query.limit, (last) => ({ receivedAt: iso(last.receivedAt), namespace: last.namespace, id: last.id }));
    return { ...result, items: result.items.map(eventView) };
  }

  @Route('getEvent')
  @RequireRole('viewer')
  async get(
    @Param('id') id: string,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'getEvent'>,
  ): Promise<ResponseOf<'getEvent'>> {
    const namespace = access.namespaceOf(query.namespace);
    const missing = `event "${id}" not found in namespace "${namespace}"`;
    access.assertVisible(namespace, missing);
    const event = await this.events.find(this.dataSource, namespace, id);
    if (!event) throw new NotFound(missing);
    return eventView(event);
  }

  /** No token: the caller proves itself with the hook's signature, checked against each declaring workflow's secret. */
  @Route('receiveHook')
  @Public()
  async hook(
    @Param('name') name: string,
    @Req() request: Request,
    @ContractQuery() query: QueryOf<'receiveHook'>,
  ): Promise<ResponseOf<'receiveHook'>> {
    const event = await this.receiveHook.execute({
      namespace: namespaceParam(query.namespace),
      hook: hookNameParam(name),
      rawBody: rawBodyOf(request),
      data: (request.body as unknown) ?? null,
      headers: request.headers,
    });
    return eventView(event);
  }
}

import {
  applyDecorators,
  createParamDecorator,
  HttpCode,
  RequestMapping,
  RequestMethod,
  SetMetadata,
  type ExecutionContext,
} from '@nestjs/common';
import { InvalidInput } from '@flowctl/core';
import { ROUTES, type RouteDefinition, type RouteName } from '@flowctl/api-contract';
import type { Request } from 'express';
import type { z } from 'zod';

/** The route table entry a handler serves, by name (read by the parameter decorators and the route check). */
export const CONTRACT_ROUTE = 'flowctl:contract-route';

const METHODS: Record<RouteDefinition['method'], RequestMethod> = {
  GET: RequestMethod.GET,
  POST: RequestMethod.POST,
  PUT: RequestMethod.PUT,
  DELETE: RequestMethod.DELETE,
};

/**
 * Binds a handler to its route of the contract: method, path and success status come from the route
 * table, so a handler cannot serve a path the contract (and the OpenAPI document) does not list.
 */
export const Route = (name: RouteName) => {
  const definition: RouteDefinition = ROUTES[name];
  return applyDecorators(
    RequestMapping({ path: definition.path, method: METHODS[definition.method] }),
    HttpCode(definition.status ?? 200),
    SetMetadata(CONTRACT_ROUTE, name),
  );
};

function routeOf(context: ExecutionContext): RouteDefinition {
  const name = Reflect.getMetadata(CONTRACT_ROUTE, context.getHandler()) as RouteName | undefined;
  if (!name) throw new TypeError(`${context.getClass().name}.${context.getHandler().name} has no @Route`);
  return ROUTES[name];
}

/** The query, parsed by the route's query schema (limits and defaults applied); a bad one is a 400 naming it. */
export const ContractQuery = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const schema = routeOf(context).query;
  const query = context.switchToHttp().getRequest<Request>().query;
  return schema ? parseOrRefuse(schema, query, 'query') : {};
});

/** The body, parsed by the route's body schema; a bad one is a 400 naming the field. */
export const ContractBody = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const schema = routeOf(context).body;
  const body: unknown = context.switchToHttp().getRequest<Request>().body;
  return schema ? parseOrRefuse(schema, body, 'body') : body;
});

export function parseOrRefuse<S extends z.ZodType>(schema: S, value: unknown, where: 'query' | 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInput(messageOf(result.error.issues[0]!, schema, where));
}

/** One sentence for the first problem, naming the field (`inputs: must be a JSON object`). */
function messageOf(issue: z.core.$ZodIssue, schema: z.ZodType, where: 'query' | 'body'): string {
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const prefix = field ? `${field}: ` : '';
    return `${prefix}unknown field(s) ${issue.keys.join(', ')}${field ? '' : `: expected ${expectedFields(schema)}`}`;
  }
  const name = field || where;
  return issue.message.startsWith(issue.path.length > 0 ? String(issue.path[0]) : where) ? issue.message : `${name}: ${issue.message}`;
}

/** `{role, namespaces?, name?}`: the fields of an object body, `?` on the optional ones. */
function expectedFields(schema: z.ZodType): string {
  let inner = schema as z.ZodType & { unwrap?: () => z.ZodType; shape?: Record<string, z.ZodType> };
  while (!inner.shape && typeof inner.unwrap === 'function') inner = inner.unwrap() as typeof inner;
  if (!inner.shape) return 'an object';
  const fields = Object.entries(inner.shape).map(([key, field]) => (field.safeParse(undefined).success ? `${key}?` : key));
  return `{${fields.join(', ')}}`;
}

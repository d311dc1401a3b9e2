import { z } from 'zod';
import { ApiErrorBody } from './common';
import type { RouteDefinition } from './route';
import { ROUTES } from './routes';

type JsonSchema = Record<string, unknown>;

const REASONS: Record<number, string> = {
  400: 'Bad input: the message names the field',
  401: 'No valid token',
  403: "The token's role or namespaces do not allow this",
  404: 'Not found (or in a namespace the token cannot see)',
  409: 'Conflicts with the current state',
  415: 'A body of a type other than JSON or YAML',
  500: 'A server bug (details in the scheduler log)',
  503: 'Not ready',
};

/**
 * Schemas that carry an `id` (`.meta({ id })`) are written once, under components.schemas, and
 * referred to from every route that uses them.
 */
let components: Record<string, JsonSchema> = {};

/** One schema as OpenAPI 3.1 (JSON Schema 2020-12) takes it; queries and bodies as clients send them. */
const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  const relinked = JSON.parse(JSON.stringify(generated).replace(/"#\/\$defs\//g, '"#/components/schemas/')) as JsonSchema;
  const { $schema: _schema, $defs, ...rest } = relinked as JsonSchema & { $defs?: Record<string, JsonSchema> };
  // A schema an answer and a request both use is written as the answer writes it (the first one seen).
  for (const [id, definition] of Object.entries($defs ?? {})) components[id] ??= definition;
  return rest;
};

function parametersOf(definition: RouteDefinition): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  for (const name of definition.path.match(/:([A-Za-z_]+)/g) ?? [])
    parameters.push({ name: name.slice(1), in: 'path', required: true, schema: { type: 'string' } });
  if (definition.query) {
    const schema = toSchema(definition.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const { description, ...rest } = property;
      parameters.push({
        name,
        in: 'query',
        required: schema.required?.includes(name) ?? false,
        schema: rest,
        ...(description ? { description } : {}),
      });
    }
  }
  return parameters;
}

function responsesOf(definition: RouteDefinition): JsonSchema {
  const status = definition.status ?? 200;
  const example = definition.example?.response;
  const content =
    definition.produces === 'text'
      ? { 'text/plain': { schema: { type: 'string' } } }
      : definition.produces === 'event-stream'
        ? {
            'text/event-stream': {
              schema: {
                type: 'string',
                description: `Server-Sent Events; each event's data is the JSON frame named by its event line: ${Object.keys(definition.frames ?? {}).join(', ')}`,
              },
            },
          }
        : { 'application/json': { schema: toSchema(definition.response, 'output'), ...(example === undefined ? {} : { example }) } };
  const responses: JsonSchema = { [status]: { description: definition.summary, content } };
  if (definition.alsoStatus) responses[definition.alsoStatus] = { description: 'The same request was made before: its answer', content };
  const errors = new Set<number>([...(definition.public ? [] : [401, 403]), 500, ...(definition.errors ?? [])]);
  if (definition.query || definition.body || definition.params) errors.add(400);
  for (const code of [...errors].sort())
    responses[code] = {
      description: REASONS[code] ?? 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } },
    };
  return responses;
}

function requestBodyOf(definition: RouteDefinition): JsonSchema | undefined {
  if (!definition.body) return undefined;
  const schema = toSchema(definition.body, 'input');
  const example = definition.example?.request;
  const content: JsonSchema = {
    'application/json': { schema, ...(example !== undefined && typeof example !== 'string' ? { example } : {}) },
  };
  if (definition.acceptsYaml)
    content['application/yaml'] = { schema: { type: 'string' }, ...(typeof example === 'string' ? { example } : {}) };
  return { required: !definition.body.safeParse(undefined).success, content };
}

/** The OpenAPI 3.1 document of the API, written from the route table. `prefix` is where the API is mounted. */
export function openApiDocument(options: { prefix?: string; version?: string } = {}): JsonSchema {
  const prefix = options.prefix ?? '/api/v1';
  components = {};
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const frames: Record<string, JsonSchema> = {};
  for (const [name, definition] of Object.entries(ROUTES) as [string, RouteDefinition][]) {
    const path = `${prefix}${definition.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`;
    const requestBody = requestBodyOf(definition);
    (paths[path] ??= {})[definition.method.toLowerCase()] = {
      operationId: name,
      tags: [definition.tag],
      summary: definition.summary,
      ...(definition.public ? { security: [] } : {}),
      parameters: parametersOf(definition),
      ...(requestBody ? { requestBody } : {}),
      responses: responsesOf(definition),
    };
    for (const [event, schema] of Object.entries(definition.frames ?? {})) frames[`${name}.${event}`] = toSchema(schema, 'output');
  }
  return {
    openapi: '3.1.0',
    info: { title: 'flowctl', description: 'Durable DAG workflow orchestrator: REST API', version: options.version ?? 'v1' },
    // An API token or a JWT, as `Authorization: Bearer` (health, readiness and metrics need none).
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { ...components, ApiError: toSchema(ApiErrorBody, 'output'), ...frames },
    },
  };
}

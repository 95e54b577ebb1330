import * as z from 'zod/mini';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES } from './problems.js';
import { accessOf, type Route } from './route.js';
import { IDEMPOTENCY_PARAMETER } from './idempotency.js';

/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (JSON Schema
 * draft 2020-12, which is OpenAPI 3.1's dialect). Schemas with an `id` become components;
 * everything else is inlined where it is used.
 */

type JsonSchema = Record<string, unknown>;

const COMPONENT_PREFIX = '#/components/schemas/';

/** Applies `meta({ override })` (how a query-string integer is shown as an integer) and drops keys OpenAPI does not want. */
function clean(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(clean);
  if (typeof schema !== 'object' || schema === null) return schema;
  const { $schema: _dialect, $id: _id, override, ...rest } = schema as JsonSchema;
  if (override && typeof override === 'object') {
    const { description } = rest;
    return { ...(override as JsonSchema), ...(description !== undefined ? { description } : {}) };
  }
  return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, clean(value)]));
}

/** One schema, inline. Schemas with an id nested in it point at their component. */
function render(schema: z.ZodMiniType): JsonSchema {
  const rendered = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
  return stripDefs(clean(JSON.parse(JSON.stringify(rendered).replaceAll('"#/$defs/', `"${COMPONENT_PREFIX}`))) as JsonSchema);
}

/** Every schema with an id, as components (refs between them stay refs). */
function components(): Record<string, JsonSchema> {
  const rendered = z.toJSONSchema(z.globalRegistry, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any', uri: (id) => `${COMPONENT_PREFIX}${id}` });
  return clean(rendered.schemas) as Record<string, JsonSchema>;
}

/** A schema with an id is referenced; anything else is rendered inline. */
function schemaRef(schema: z.ZodMiniType): JsonSchema {
  const id = z.globalRegistry.get(schema)?.id;
  return id ? { $ref: `${COMPONENT_PREFIX}${id}` } : render(schema);
}

/** Inline renderings reference components, never local $defs (those would resolve against the document root, not the schema). */
function stripDefs(schema: JsonSchema): JsonSchema {
  const { $defs: _defs, ...rest } = schema;
  return rest;
}

function parameters(route: Route): JsonSchema[] {
  const list: JsonSchema[] = [];
  const add = (where: 'path' | 'query', schema: z.ZodMiniType | undefined) => {
    if (!schema) return;
    const rendered = render(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(rendered.properties ?? {})) {
      const { description, ...propertySchema } = property;
      list.push({
        name,
        in: where,
        required: where === 'path' || (rendered.required ?? []).includes(name),
        ...(description !== undefined ? { description } : {}),
        schema: propertySchema,
      });
    }
  };
  add('path', route.params);
  add('query', route.query);
  if (route.idempotent) list.push(IDEMPOTENCY_PARAMETER);
  return list;
}

const problemResponse = (status: number) => {
  const types = Object.entries(PROBLEM_TYPES)
    .filter(([, t]) => t.status === status)
    .map(([name]) => name);
  return {
    description: types.length ? `Problem: ${types.join(', ')}` : 'Problem',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `${COMPONENT_PREFIX}Problem` } } },
  };
};

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** `responses`: the answers' schemas by the names the route tables give them (each room's responses.ts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function buildOpenApiDocument(routes: readonly Route<any>[], info: OpenApiInfo, responses: Readonly<Record<string, z.ZodMiniType>>): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const answer = responses[route.response.schema];
    if (!answer) throw new Error(`${route.method} ${route.path} answers ${route.response.schema}, which no room's responses define`);
    const statuses = new Set<number>([...route.problems, 500]);
    if (accessOf(route) !== 'public') [401, 403].forEach((s) => statuses.add(s));
    if (route.params || route.query || route.body) statuses.add(400);
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(accessOf(route) === 'public' ? { security: [] } : {}),
      parameters: parameters(route),
      ...(route.body
        ? { requestBody: { required: route.body.required, content: { 'application/json': { schema: schemaRef(route.body.schema) } } } }
        : {}),
      responses: {
        200: { description: route.response.description, content: { 'application/json': { schema: schemaRef(answer) } } },
        ...Object.fromEntries([...statuses].sort().map((s) => [String(s), problemResponse(s)])),
      },
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A JWT from the configured issuer. Moderators’ routes need `moderators` or `admins` in its groups claim; members’ routes (reports, appeals) take any token that names a Chime member.',
        },
      },
      schemas: components(),
    },
  };
}

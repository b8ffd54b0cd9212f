// buildOpenApiDocument: the OpenAPI 3.1 document, converted from the operation table's valibot schemas.
import {
  type ConversionConfig,
  type JsonSchema,
  toJsonSchema,
  toJsonSchemaDefs,
} from '@valibot/to-json-schema';
import type { ApiContent, ApiOperation, ApiResponse, ApiSecurity, ValibotSchema } from './api-operation';

type JsonSchemaDefinition = NonNullable<JsonSchema['properties']>[string];
type SecurityRequirement = Record<string, string[]>;

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchemaDefinition;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchemaDefinition }>;
  content?: Record<string, { schema: JsonSchemaDefinition }>;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: SecurityRequirement[];
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchemaDefinition }> };
  responses: Record<string, OpenApiResponse>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchemaDefinition>;
    securitySchemes: Record<string, Record<string, string>>;
  };
}

export interface OpenApiSource {
  operations: readonly ApiOperation[];
  /** Schemas published by name under components/schemas; every other use refers to them. */
  components: Readonly<Record<string, ValibotSchema>>;
  version: string;
}

const SECURITY: Record<ApiSecurity, SecurityRequirement[]> = {
  none: [],
  'fmetoken-or-basic': [{ fmetoken: [] }, { basic: [] }],
  // Basic, or no header at all: the user name and password are then in the body.
  password: [{ basic: [] }, {}],
};

const SECURITY_SCHEMES = {
  fmetoken: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'An API or session token. The header value is `fmetoken token=<value>`; ' +
      'the token may instead travel as the `fmetoken` query parameter.',
  },
  basic: { type: 'http', scheme: 'basic', description: 'A user name and password.' },
};

/** Where a component lives in the document, as a JSON Pointer. */
function componentRef(name: string): string {
  return `#/components/schemas/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

function createConverter(components: Readonly<Record<string, ValibotSchema>>) {
  // Transformations (NFC normalisation, text to number) and custom checks have no JSON Schema equivalent;
  // anything else that cannot be converted still throws, so the document never silently drops a rule.
  const base: ConversionConfig = {
    target: 'draft-2020-12',
    ignoreActions: ['transform', 'check'],
    overrideRef: ({ referenceId }) => componentRef(referenceId),
  };
  const asParsed: ConversionConfig = { ...base, definitions: { ...components } };
  // Query strings and form fields arrive as text: document them as sent, before a pipe turns them into numbers.
  const asSent: ConversionConfig = { ...asParsed, typeMode: 'input' };

  // A schema that is a component becomes a $ref; one that contains components refers to them.
  function convert(schema: ValibotSchema, config: ConversionConfig): JsonSchema {
    const { $schema: _dialect, $defs: _definitions, ...rest } = toJsonSchema(schema, config);
    return rest;
  }

  return {
    components: () => toJsonSchemaDefs(components, base),
    content({ mediaType, schema }: ApiContent) {
      return {
        [mediaType]: { schema: convert(schema, mediaType === 'application/json' ? asParsed : asSent) },
      };
    },
    queryObject: (schema: ValibotSchema) => convert(schema, asSent),
  };
}

function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
}

function buildParameters(
  operation: ApiOperation,
  converter: ReturnType<typeof createConverter>,
): OpenApiParameter[] {
  const descriptions = operation.parameters ?? {};
  const parameters: OpenApiParameter[] = pathParameterNames(operation.path).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (operation.query) {
    const query = converter.queryObject(operation.query);
    const required = new Set(query.required ?? []);
    for (const [name, schema] of Object.entries(query.properties ?? {}))
      parameters.push({ name, in: 'query', required: required.has(name), schema });
  }
  for (const [name, description] of Object.entries(operation.headers ?? {}))
    parameters.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
  const known = new Set(parameters.map((parameter) => parameter.name));
  for (const name of Object.keys(descriptions))
    if (!known.has(name))
      throw new Error(`${operation.operationId}: "${name}" is described but is not a parameter`);
  return parameters.map((parameter) => {
    const description = descriptions[parameter.name];
    return description === undefined ? parameter : { ...parameter, description };
  });
}

function buildResponses(
  responses: Readonly<Record<number, ApiResponse>>,
  converter: ReturnType<typeof createConverter>,
): Record<string, OpenApiResponse> {
  const built: Record<string, OpenApiResponse> = {};
  for (const [status, response] of Object.entries(responses)) {
    const headers = Object.entries(response.headers ?? {}).map(
      ([name, description]) => [name, { description, schema: { type: 'string' } }] as const,
    );
    built[status] = {
      description: response.description,
      ...(headers.length === 0 ? {} : { headers: Object.fromEntries(headers) }),
      ...(response.content ? { content: converter.content(response.content) } : {}),
    };
  }
  return built;
}

function buildOperation(
  operation: ApiOperation,
  converter: ReturnType<typeof createConverter>,
): OpenApiOperation {
  const parameters = buildParameters(operation, converter);
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description === undefined ? {} : { description: operation.description }),
    tags: [operation.tag],
    security: SECURITY[operation.security],
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(operation.body
      ? {
          requestBody: {
            required: operation.body.required,
            content: Object.assign(
              converter.content(operation.body),
              ...(operation.body.also ?? []).map((content) => converter.content(content)),
            ),
          },
        }
      : {}),
    responses: buildResponses(operation.responses, converter),
  };
}

export function buildOpenApiDocument({ operations, components, version }: OpenApiSource): OpenApiDocument {
  const converter = createConverter(components);
  const paths: OpenApiDocument['paths'] = {};
  const operationIds = new Set<string>();
  for (const operation of operations) {
    const method = operation.method.toLowerCase();
    const item = paths[operation.path] ?? {};
    paths[operation.path] = item;
    if (item[method]) throw new Error(`${operation.method} ${operation.path} is documented twice`);
    if (operationIds.has(operation.operationId))
      throw new Error(`operationId ${operation.operationId} is used twice`);
    operationIds.add(operation.operationId);
    item[method] = buildOperation(operation, converter);
  }
  const tags = [...new Set(operations.map((operation) => operation.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'tokenward API',
      version,
      description:
        'FME-Server-style API tokens. Generated from the schemas the server validates with. ' +
        'Use **Get Token** on the documentation page to sign in for a 1-hour `apidoc` token.',
    },
    tags,
    paths,
    components: { schemas: converter.components(), securitySchemes: SECURITY_SCHEMES },
  };
}

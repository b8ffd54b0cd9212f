// Validators in front of handlers: JSON bodies and queries parsed with the shared schemas, 422 naming each field.
import { vValidator } from '@hono/valibot-validator';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import * as v from 'valibot';
import { apiError, validationFailed } from './errors';

type AnySchema = v.GenericSchema<unknown, unknown>;

function fieldsOf(issues: readonly v.BaseIssue<unknown>[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const path = v.getDotPath(issue) ?? '(body)';
    // An unknown key in a strict object: say so rather than echoing valibot's type message.
    const message =
      issue.kind === 'schema' && issue.type === 'strict_object' ? 'is not a known field' : issue.message;
    fields[path] ??= message;
  }
  return fields;
}

function failOnIssues(result: { success: boolean; issues?: readonly v.BaseIssue<unknown>[] }): void {
  if (!result.success) throw validationFailed(fieldsOf(result.issues ?? []));
}

// Without this, Hono's json validator reads a body sent as text/plain or form data as `{}`.
function checkJsonContentType(c: Context): void {
  const contentType = c.req.header('Content-Type') ?? '';
  if (!/^application\/([\w.-]+\+)?json\b/i.test(contentType)) {
    throw apiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the request body as JSON with Content-Type: application/json.',
    );
  }
}

const requireJsonContentType = createMiddleware(async function requireJsonContentType(c, next) {
  checkJsonContentType(c);
  await next();
});

export function jsonBody<S extends AnySchema>(schema: S) {
  return [requireJsonContentType, vValidator('json', schema, failOnIssues)] as const;
}

export function query<S extends AnySchema>(schema: S) {
  return vValidator('query', schema, failOnIssues);
}

/** Parses `input` with `schema`, or throws the 422 naming each field. */
export function parseOr422<S extends AnySchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (!result.success) throw validationFailed(fieldsOf(result.issues));
  return result.output;
}

/** The JSON body parsed with `schema`, for handlers whose body is optional: 415, 400 and 422 as jsonBody. */
export async function readJsonBody<S extends AnySchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  checkJsonContentType(c);
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw apiError(400, 'MALFORMED_JSON', 'The request body is not valid JSON.');
  }
  return parseOr422(schema, json);
}

// Validators in front of handlers: JSON bodies and queries parsed with the shared schemas, 422 naming each field.
import { vValidator } from '@hono/valibot-validator';
import type { Context, Env, MiddlewareHandler } from 'hono';
import * as v from 'valibot';
import { apiError, validationFailed } from './errors';
import { isClientAbort } from './http/client-abort';

type AnySchema = v.GenericSchema<unknown, unknown>;

function fieldsOf(issues: readonly v.BaseIssue<unknown>[]): Record<string, string> {
  // Keyed by what the client sent: without a prototype, `__proto__` and `constructor` are fields like any other
  // (on `{}` they read as Object.prototype's, so `??=` skipped them, and `__proto__` could not be set).
  const fields: Record<string, string> = Object.create(null);
  for (const issue of issues) {
    const path = v.getDotPath(issue) ?? '(body)';
    fields[path] ??= messageOf(issue);
  }
  return fields;
}

/** valibot reports both a missing key and an unknown key of a strict object as the object's issue. */
function messageOf(issue: v.BaseIssue<unknown>): string {
  if (issue.kind !== 'schema' || (issue.type !== 'strict_object' && issue.type !== 'object')) {
    return issue.message;
  }
  if (issue.received === 'undefined') return 'is missing';
  if (issue.expected === 'never') return 'is not a known field';
  return issue.message;
}

function failOnIssues(result: { success: boolean; issues?: readonly v.BaseIssue<unknown>[] }): void {
  if (!result.success) throw validationFailed(fieldsOf(result.issues ?? []));
}

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const MEDIA_TYPE_PARAMETER = /^[\w!#$%&'*+.^`|~-]+=("[^"]*"|[\w!#$%&'*+.^`|~-]+)$/;

/**
 * The one rule for what counts as a JSON body: `application/json` or `application/<x>+json`, optionally with
 * parameters (`; charset=utf-8`). Anything else, a list of types included, is not JSON.
 */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [mediaType = '', ...parameters] = header.split(';').map((part) => part.trim());
  // An empty parameter (`application/json;`) is a common slip, not a different type.
  return JSON_MEDIA_TYPE.test(mediaType) && parameters.every((p) => p === '' || MEDIA_TYPE_PARAMETER.test(p));
}

function checkJsonContentType(c: Context): void {
  if (!isJsonContentType(c.req.header('Content-Type'))) {
    throw apiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the request body as JSON with Content-Type: application/json.',
    );
  }
}

/** Parses `input` with `schema`, or throws the 422 naming each field. */
export function parseOr422<S extends AnySchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (!result.success) throw validationFailed(fieldsOf(withEveryUnknownKey(schema, input, result.issues)));
  return result.output;
}

/** Enough to name every unknown field of any body the API takes; past it, the rest go unnamed. */
const MAX_UNKNOWN_KEYS = 32;

/**
 * valibot names the first unknown key of a strict object and stops there. The others are found by parsing a copy
 * again without the keys already found, so that a 422 names each field it refuses.
 */
function withEveryUnknownKey(
  schema: AnySchema,
  input: unknown,
  issues: readonly v.BaseIssue<unknown>[],
): readonly v.BaseIssue<unknown>[] {
  if (!issues.some(isUnknownKey)) return issues;
  const copy: unknown = structuredClone(input);
  const all = [...issues];
  let latest = issues;
  for (let round = 0; round < MAX_UNKNOWN_KEYS; round++) {
    let removed = false;
    for (const issue of latest.filter(isUnknownKey)) {
      const step = locate(copy, issue);
      if (step !== undefined) removed = delete step.object[step.key];
    }
    if (!removed) break;
    const again = v.safeParse(schema, copy);
    if (again.success) break;
    latest = again.issues.filter(isUnknownKey);
    if (latest.length === 0) break;
    all.push(...latest);
  }
  return all;
}

function isUnknownKey(issue: v.BaseIssue<unknown>): boolean {
  return issue.kind === 'schema' && issue.type === 'strict_object' && issue.expected === 'never';
}

/** The object in `root` that holds the key an issue is about, followed along the issue's path. */
function locate(
  root: unknown,
  issue: v.BaseIssue<unknown>,
): { object: Record<string, unknown>; key: string } | undefined {
  const path = issue.path ?? [];
  let at: unknown = root;
  for (const [index, item] of path.entries()) {
    if (typeof at !== 'object' || at === null) return undefined;
    const key = String(item.key);
    if (index === path.length - 1) return { object: at as Record<string, unknown>, key };
    at = (at as Record<string, unknown>)[key];
  }
  return undefined;
}

/**
 * The JSON body parsed with `schema`: 415 unless it is sent as JSON, 400 unless it is valid JSON, 422 unless
 * it is one JSON object (an array or a bare value is not a set of fields) that the schema accepts.
 */
export async function readJsonBody<S extends AnySchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  checkJsonContentType(c);
  let json: unknown;
  try {
    json = await c.req.json();
  } catch (error) {
    if (isClientAbort(error)) throw error;
    throw apiError(400, 'MALFORMED_JSON', 'The request body is not valid JSON.');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw validationFailed({ '(body)': 'must be a JSON object' });
  }
  return parseOr422(schema, json);
}

/** Validator for a JSON body: the handler reads the parsed value with `c.req.valid('json')`. */
export function jsonBody<S extends v.GenericSchema<unknown, object>>(schema: S) {
  const validateJson: MiddlewareHandler<
    Env,
    string,
    { in: { json: v.InferInput<S> }; out: { json: v.InferOutput<S> } }
  > = async (c, next) => {
    c.req.addValidatedData('json', await readJsonBody(c, schema));
    await next();
  };
  return [validateJson] as const;
}

export function query<S extends AnySchema>(schema: S) {
  return vValidator('query', schema, failOnIssues);
}

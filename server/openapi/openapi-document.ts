// The OpenAPI 3.1 document, generated from the descriptions registered beside the app's routes.
import type { Hono } from 'hono';
import { generateSpecs } from 'hono-openapi';
import { TAGS } from './tags';

const SECURITY_SCHEMES = {
  fmetoken: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'An API or session token. The header value is `fmetoken token=<value>`; ' +
      'the token may instead travel as the `fmetoken` query parameter.',
  },
  fmetokenQuery: {
    type: 'apiKey',
    in: 'query',
    name: 'fmetoken',
    description:
      'The same token as a query parameter (or `fmetoken` form field), for old clients that cannot set a ' +
      'header; answered with `Cache-Control: no-store`. Prefer the header: addresses end up in logs.',
  },
  basic: { type: 'http', scheme: 'basic', description: 'A user name and password.' },
} as const;

// biome-ignore lint/suspicious/noExplicitAny: any Hono app, whatever its environment and schema.
export type AnyHono = Hono<any, any, any>;

export function generateOpenApiDocument(app: AnyHono, version: string) {
  return generateSpecs(app, {
    documentation: {
      info: {
        title: 'tokenward API',
        version,
        description:
          'FME-Server-style API tokens. Generated from the schemas the server validates with. ' +
          'Use **Get Token** on the documentation page to sign in for a 1-hour `apidoc` token.',
      },
      tags: Object.values(TAGS).map((name) => ({ name })),
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    // Our paths with a dot (openapi.json, generate.json) are operations, not static files.
    excludeStaticFile: false,
    // Our validators answer 422 with the shared error body, which each description lists itself.
    defaultValidationErrorResponse: false,
  });
}

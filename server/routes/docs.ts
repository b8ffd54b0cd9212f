// API documentation: the generated OpenAPI document and the Swagger UI page, served from local files only.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import * as v from 'valibot';
import { apiError } from '../errors';
import { htmlPageHeaders } from '../http/security-headers';
import { describe, json, undocumented } from '../openapi/describe';
import { type AnyHono, generateOpenApiDocument } from '../openapi/openapi-document';
import { TAGS } from '../openapi/tags';
import { PRODUCT } from '../version';

export const DOCS_PAGE_PATH = '/fmerest/apidoc/v3/';
export const OPENAPI_PATH = '/fmerest/v3/openapi.json';

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const APIDOC_DIR = fileURLToPath(new URL('../apidoc/', import.meta.url));

const JAVASCRIPT = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
// Asset URLs carry a hash of their content, so a changed file gets a new URL and the old one may be cached for good.
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface AssetSource {
  path: string;
  contentType: string;
}

const ASSET_SOURCES: Readonly<Record<string, AssetSource>> = {
  'swagger-ui-bundle.js': { path: join(SWAGGER_UI_DIR, 'swagger-ui-bundle.js'), contentType: JAVASCRIPT },
  'swagger-ui.css': { path: join(SWAGGER_UI_DIR, 'swagger-ui.css'), contentType: CSS },
  'apidoc.js': { path: join(APIDOC_DIR, 'apidoc.js'), contentType: JAVASCRIPT },
  'apidoc.css': { path: join(APIDOC_DIR, 'apidoc.css'), contentType: CSS },
};

interface Asset {
  body: string;
  contentType: string;
  version: string;
}

interface DocsFiles {
  page: string;
  assets: ReadonlyMap<string, Asset>;
}

async function readAsset({ path, contentType }: AssetSource): Promise<Asset> {
  // The source map is not served: without this line the browser's devtools would ask for it and get a 404.
  const body = (await readFile(path, 'utf8')).replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '');
  return { body, contentType, version: createHash('sha256').update(body).digest('hex').slice(0, 12) };
}

async function readDocsFiles(): Promise<DocsFiles> {
  const assets = new Map<string, Asset>();
  for (const [name, source] of Object.entries(ASSET_SOURCES)) assets.set(name, await readAsset(source));
  const template = await readFile(join(APIDOC_DIR, 'index.html'), 'utf8');
  const page = template.replace(/\{\{asset:([\w.-]+)\}\}/g, (_match, name: string) => {
    const asset = assets.get(name);
    if (!asset) throw new Error(`index.html names an unknown asset: ${name}`);
    return `assets/${name}?v=${asset.version}`;
  });
  return { page, assets };
}

/**
 * The OpenAPI document of `app`, mounted at OPENAPI_PATH; generated on first use, when every route is
 * registered, then kept (the routes and schemas do not change).
 */
export function createOpenApiRoutes(app: AnyHono) {
  const routes = new Hono();
  let openApiJson: Promise<string> | undefined;
  describe(
    {
      operationId: 'getOpenApiDocument',
      summary: 'This OpenAPI document',
      tag: TAGS.docs,
      security: 'none',
      // Not JSON any client parses with a schema of ours: nothing in shared/ describes it.
      responses: { 200: json('The OpenAPI 3.1 document.', v.record(v.string(), v.unknown())) },
    },
    routes.get('/', async (c) => {
      openApiJson ??= generateOpenApiDocument(app, PRODUCT)
        .then((document) => JSON.stringify(document))
        .catch((error: unknown) => {
          openApiJson = undefined;
          throw error;
        });
      c.header('Cache-Control', 'no-cache');
      return c.body(await openApiJson, 200, { 'Content-Type': 'application/json; charset=utf-8' });
    }),
  );
  return routes;
}

/** The API docs page and its assets, mounted at DOCS_PAGE_PATH (the app redirects the slashless address). */
export function createDocsRoutes() {
  const routes = new Hono();
  // Read on first use, then kept: the files do not change while the server runs.
  let files: Promise<DocsFiles> | undefined;

  function docsFiles(): Promise<DocsFiles> {
    files ??= readDocsFiles().catch((error: unknown) => {
      files = undefined;
      throw error;
    });
    return files;
  }

  describe(
    {
      operationId: 'getApiDocumentation',
      summary: 'Interactive API documentation',
      description: 'This page; its *Get Token* button signs in for a 1-hour `apidoc` token.',
      tag: TAGS.docs,
      security: 'none',
      responses: {
        200: { description: 'The page.', content: { mediaType: 'text/html', schema: v.string() } },
      },
    },
    routes.get('/', async (c) => {
      const { page } = await docsFiles();
      c.header('Cache-Control', 'no-cache');
      htmlPageHeaders(c);
      return c.html(page);
    }),
  );

  undocumented(
    'scripts and styles of the docs page',
    routes.get('/assets/:file', async (c) => {
      const asset = (await docsFiles()).assets.get(c.req.param('file'));
      if (!asset) throw apiError(404, 'NOT_FOUND', 'There is nothing at this address.');
      c.header('Cache-Control', IMMUTABLE);
      c.header('X-Content-Type-Options', 'nosniff');
      return c.body(asset.body, 200, { 'Content-Type': asset.contentType });
    }),
  );

  return routes;
}

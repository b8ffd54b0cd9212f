// docs/openapi.json is the document the server serves now: a route or schema change needs `npm run docs:openapi`.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { OPENAPI_FILE, renderOpenApiFile } from './openapi-file';

it(`${OPENAPI_FILE} is the document the server generates (else run: npm run docs:openapi)`, async () => {
  const committed = await readFile(new URL(`../../${OPENAPI_FILE}`, import.meta.url), 'utf8');
  const generated = await renderOpenApiFile();
  // Compared as text, so that any byte that changed fails, with a diff of the lines.
  expect(committed).toBe(generated);
});

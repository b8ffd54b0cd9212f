// Writes docs/openapi.json: the OpenAPI document the server generates from its routes (npm run docs:openapi).
import { writeFile } from 'node:fs/promises';
import { OPENAPI_FILE, renderOpenApiFile } from '../server/openapi/openapi-file';

await writeFile(OPENAPI_FILE, await renderOpenApiFile());
process.stdout.write(`wrote ${OPENAPI_FILE}\n`);

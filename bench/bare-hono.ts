// The floor of the stack: a bare Hono app on @hono/node-server serving the same JSON body as tokenward's public
// GET /fmeinfo/version, started by `npm run bench` in the same run so every scenario can be read against it.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { serverVersion } from '../server/version';

const app = new Hono();
const version = serverVersion(
  process.env.FME_BUILD_NUMBER ? Number(process.env.FME_BUILD_NUMBER) : undefined,
);
// What anyone would write: the object serialized by c.json on each request.
app.get('/fmeinfo/version', (c) => c.json(version));

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' }, (address) => {
  process.stdout.write(`bare hono listening on http://127.0.0.1:${address.port}\n`);
});

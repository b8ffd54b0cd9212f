// The body of a new repository: JSON, or the form FME's own clients send.
import type { Context } from 'hono';
import { type CreateRepositoryBody, CreateRepositoryBodySchema } from '../../shared/schemas/repository';
import { parseOr422, readJsonBody } from '../validation';

/**
 * A new repository's fields: JSON, or a form (`name`, `description`), which is how FME's own clients send
 * it. A form's fmetoken field is a credential, already read by authentication.
 */
export async function readCreateRepositoryBody(c: Context): Promise<CreateRepositoryBody> {
  if (/^application\/x-www-form-urlencoded\b/i.test(c.req.header('Content-Type') ?? '')) {
    const form = new URLSearchParams(await c.req.text());
    form.delete('fmetoken');
    return parseOr422(CreateRepositoryBodySchema, Object.fromEntries(form));
  }
  return readJsonBody(c, CreateRepositoryBodySchema);
}

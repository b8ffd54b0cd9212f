// The one typed message map between the popup and the background, with a schema for each direction.
import * as v from 'valibot';
import { browser } from 'wxt/browser';
import type { Result } from '../../shared/api-client';
import { CLIENT_ERROR_CODES, SERVER_ERROR_CODES } from '../../shared/errors';
import { VersionSchema } from '../../shared/schemas/info';
import { parseServerUrl } from '../utils/server-url';

const ApiErrorSchema = v.object({
  code: v.picklist([...SERVER_ERROR_CODES, ...CLIENT_ERROR_CODES]),
  message: v.string(),
  status: v.number(),
  details: v.optional(v.record(v.string(), v.unknown())),
});

function resultSchema<T>(value: v.GenericSchema<unknown, T>): v.GenericSchema<unknown, Result<T>> {
  return v.variant('ok', [
    v.object({ ok: v.literal(true), value }),
    v.object({ ok: v.literal(false), error: ApiErrorSchema }),
  ]);
}

const ServerUrlSchema = v.pipe(
  v.string(),
  v.check((url) => parseServerUrl(url).ok, 'must be an http(s) server URL'),
);

export const messageSchemas = {
  /** Ask the server at `url` for its version: shows whether it is reachable and is tokenward. */
  checkServer: {
    request: v.object({ url: ServerUrlSchema }),
    response: resultSchema(VersionSchema),
  },
};

export type MessageType = keyof typeof messageSchemas;
export type MessageRequest<K extends MessageType> = v.InferOutput<(typeof messageSchemas)[K]['request']>;
export type MessageResponse<K extends MessageType> = v.InferOutput<(typeof messageSchemas)[K]['response']>;
export type MessageHandlers = {
  [K in MessageType]: (request: MessageRequest<K>) => Promise<MessageResponse<K>>;
};

export const EnvelopeSchema = v.object({
  type: v.picklist(Object.keys(messageSchemas) as MessageType[]),
  data: v.unknown(),
});

/** Sends a message to the background and parses its answer; rejects when no valid answer arrives. */
export async function sendMessage<K extends MessageType>(
  type: K,
  data: MessageRequest<K>,
): Promise<MessageResponse<K>> {
  const answer: unknown = await browser.runtime.sendMessage({ type, data });
  const parsed = v.safeParse(messageSchemas[type].response, answer);
  if (!parsed.success) throw new Error(`The background sent no valid answer to ${type}.`);
  return parsed.output;
}

// A token's leases for its details view: how many are live and their last use, and ending them all.
import type { MessageHandlers } from '../core/messages';
import { asNull, type ServerCalls } from './server-calls';

type LeaseSummaryHandlers = Pick<MessageHandlers, 'getLeaseSummary' | 'endTokenLeases'>;

export function createLeaseSummaryHandlers(calls: ServerCalls): LeaseSummaryHandlers {
  return {
    getLeaseSummary: ({ server, user, name }) => calls.authed(server, (api) => api.leaseSummary(user, name)),
    endTokenLeases: async ({ server, user, name }) =>
      asNull(await calls.authed(server, (api) => api.endLeases(user, name))),
  };
}

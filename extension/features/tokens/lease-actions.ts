// A token's leases on the active server, for its details: read them, end them all.
import type { Token } from '../../../shared/schemas/token';
import type { Send } from '../../core/messages';
import { errorText } from '../../ui/error-text';
import type { LeaseSummaryState } from '../../ui/lease-summary';

/** Reads and ends a token's leases on the active server. */
export function createLeaseActions(send: Send, server: () => string) {
  const ref = (token: Token) => ({ server: server(), user: token.user, name: token.name });
  return {
    async summary(token: Token): Promise<LeaseSummaryState> {
      const answer = await send('getLeaseSummary', ref(token));
      return answer.ok
        ? { kind: 'ready', summary: answer.value }
        : { kind: 'failed', message: errorText(answer.error, server()) };
    },
    /** Ends them all; then what is left (none live, or why it failed). */
    async endAll(token: Token): Promise<LeaseSummaryState> {
      const ended = await send('endTokenLeases', ref(token));
      if (!ended.ok) return { kind: 'failed', message: errorText(ended.error, server()) };
      return this.summary(token);
    },
  };
}

export type LeaseActions = ReturnType<typeof createLeaseActions>;

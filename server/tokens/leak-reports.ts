// Reports of leaked values (POST /fmerest/v3/tokens/revoke): anyone who finds one may have it disabled.
import { isWellFormedTokenValue } from '../../shared/token-format';
import type { AuditLog } from '../audit/audit-log';
import { digestTokenValue } from '../auth/digest';
import type { Store } from '../store/store';
import { type Clock, epochSeconds } from '../time';

export interface LeakReportDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
}

/**
 * The reporter learns nothing (the answer is the same whatever the values were), and a value whose checksum is
 * wrong is dropped before any lookup, so a report costs a guesser as much as any refused credential. A reported
 * token is disabled and marked exposed, with an `exposed` event for its owner; a reported lease is ended, with an
 * event on its token.
 */
export function createLeakReports({ store, clock, audit }: LeakReportDeps) {
  return async function report(values: readonly string[], client: string): Promise<void> {
    const digests = [...new Set(values.filter(isWellFormedTokenValue).map(digestTokenValue))];
    if (digests.length === 0) return;
    const at = epochSeconds(clock);
    await store.reportExposed(digests, at, (token, lease) =>
      audit.tokenEvent('exposed', token, 'reported as leaked', client, lease ? 'a lease of it' : undefined),
    );
  };
}

export type LeakReports = ReturnType<typeof createLeakReports>;

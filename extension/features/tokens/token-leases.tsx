// The leases line of an API token's details, asked of the server when the details open.
import { useEffect, useState } from 'preact/hooks';
import type { Token } from '../../../shared/schemas/token';
import { type LeaseSummaryState, LeaseSummaryView } from '../../ui/lease-summary';
import { usePopup } from './popup-context';

export function TokenLeases({ token }: { token: Token }) {
  const { state, actions } = usePopup();
  const [view, setView] = useState<LeaseSummaryState>({ kind: 'loading' });
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let open = true;
    void actions.leases.summary(token).then((next) => open && setView(next));
    return () => {
      open = false;
    };
  }, [token.user, token.name, token.lastUsedDate]);
  return (
    <LeaseSummaryView
      state={view}
      now={state.now.value}
      confirming={confirming}
      busy={busy}
      onAsk={() => setConfirming(true)}
      onCancel={() => setConfirming(false)}
      onEnd={async () => {
        setBusy(true);
        setView(await actions.leases.endAll(token));
        setBusy(false);
        setConfirming(false);
      }}
    />
  );
}

/** What a token list shows as an API token's leases; nothing for a session. */
export const leasesOf = (token: Token) => (token.type === 'USER' ? <TokenLeases token={token} /> : undefined);

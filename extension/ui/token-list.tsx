// A list of tokens with its loading, empty and error states and a "Show more" for the next page.
import type { ComponentChildren, RefObject } from 'preact';
import type { Token } from '../../shared/schemas/token';
import { type DuplicateDraft, type ListView, type RowPrompt, tokenKey } from '../core/model';
import { useListFocus } from './list-focus';
import { plural } from './plural';
import { TokenRow } from './token-row';

export interface TokenListProps {
  list: ListView;
  now: number;
  showOwner: boolean;
  emptyText: string;
  busyRows: ReadonlySet<string>;
  prompt: RowPrompt | null;
  duplicate: DuplicateDraft;
  loadingMore: boolean;
  expanded: string | null;
  locked: string | null;
  onRetry: () => void;
  onLoadMore: () => void;
  onToggle: (token: Token) => void;
  onAsk: (token: Token, kind: RowPrompt['kind']) => void;
  onCancel: () => void;
  onDuplicateChange: (patch: Partial<DuplicateDraft>) => void;
  onDuplicate: (token: Token) => void;
  onRemove: (token: Token) => void;
  onEdit: (token: Token) => void;
  onDetails: (token: Token) => void;
  /** An open token's leases, if it has any to show. */
  leasesOf?: (token: Token) => ComponentChildren;
  /** Where the focus goes when the last token is removed from under it. */
  fallbackFocus?: RefObject<HTMLElement | null>;
}

export function TokenList(props: TokenListProps) {
  const { list } = props;
  const listFocus = useListFocus<HTMLUListElement>(props.fallbackFocus);
  if (list.kind === 'loading') return <p class="placeholder">Loading tokens…</p>;
  if (list.kind === 'failed') {
    return (
      <div class="placeholder error">
        <p role="alert">{list.message}</p>
        <button type="button" class="small" onClick={props.onRetry}>
          Try again
        </button>
      </div>
    );
  }
  if (list.items.length === 0) return <p class="placeholder">{props.emptyText}</p>;
  const more = list.totalCount - list.items.length;
  return (
    <>
      <ul class="token-list" aria-label={plural(list.totalCount, 'token')} {...listFocus}>
        {list.items.map((token) => {
          const key = tokenKey(token);
          const prompt = props.prompt?.key === key ? props.prompt.kind : null;
          return (
            <TokenRow
              key={key}
              token={token}
              now={props.now}
              showOwner={props.showOwner}
              busy={props.busyRows.has(key)}
              prompt={prompt}
              duplicate={props.duplicate}
              expanded={props.expanded === key}
              leases={props.expanded === key ? props.leasesOf?.(token) : undefined}
              locked={props.locked}
              onEdit={() => props.onEdit(token)}
              onDetails={() => props.onDetails(token)}
              onToggle={() => props.onToggle(token)}
              onAsk={(kind) => props.onAsk(token, kind)}
              onCancel={props.onCancel}
              onDuplicateChange={props.onDuplicateChange}
              onDuplicate={() => props.onDuplicate(token)}
              onRemove={() => props.onRemove(token)}
            />
          );
        })}
      </ul>
      {more > 0 && (
        <button type="button" class="ghost more" disabled={props.loadingMore} onClick={props.onLoadMore}>
          {props.loadingMore ? 'Loading…' : `Show more (${more} left)`}
        </button>
      )}
    </>
  );
}

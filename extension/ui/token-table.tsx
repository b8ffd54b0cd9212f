// The options page's token table: sortable columns, search, row selection with bulk enable/disable/remove.

import type { ComponentChildren } from 'preact';
import { useMemo, useRef, useState } from 'preact/hooks';
import type { Token } from '../../shared/schemas/token';
import {
  type BulkAction,
  type DuplicateDraft,
  type ListView,
  type Notice,
  type RowPrompt,
  SORT_COLUMNS,
  type SortColumn,
  type TableSort,
  tokenKey,
} from '../core/model';
import { absoluteDate, expiryText, lastUsedText } from '../core/time-text';
import { ConfirmPrompt, toggleQuestion } from './confirm-prompt';
import { CurrentMarker, currentLabel } from './current-marker';
import { DuplicatePrompt } from './duplicate-prompt';
import { useListFocus } from './list-focus';
import { memo } from './memo';
import { NoticeLine } from './notice-line';
import { plural } from './plural';
import { StatusChip } from './status-chip';
import { TokenDetails } from './token-details';

export interface TokenTableProps {
  label: string;
  list: ListView;
  /** The rows after search and sort. */
  rows: Token[];
  now: number;
  /** My tokens: edit and duplicate are offered; All tokens: only enable, disable and remove. */
  owned: boolean;
  locked: string | null;
  search: string;
  sort: TableSort;
  selected: ReadonlySet<string>;
  bulk: { done: number; total: number; verb: string } | null;
  busyRows: ReadonlySet<string>;
  expanded: string | null;
  prompt: RowPrompt | null;
  duplicate: DuplicateDraft;
  notice: Notice | null;
  emptyText: string;
  onSearch: (search: string) => void;
  onSort: (column: SortColumn) => void;
  onSelect: (token: Token, on: boolean) => void;
  onSelectAll: (on: boolean) => void;
  onBulk: (action: BulkAction) => void;
  onRetry: () => void;
  onDetails: (token: Token) => void;
  onEdit: (token: Token) => void;
  onToggle: (token: Token) => void;
  onAsk: (token: Token, kind: RowPrompt['kind']) => void;
  onCancel: () => void;
  onDuplicateChange: (patch: Partial<DuplicateDraft>) => void;
  onDuplicate: (token: Token) => void;
  onRemove: (token: Token) => void;
  /** An open token's leases, if it has any to show; the same function from render to render. */
  leasesOf?: (token: Token) => ComponentChildren;
}

export function TokenTable(props: TokenTableProps) {
  const { list, rows, sort, selected, locked } = props;
  // A bulk action that asks first: removing always, disabling when it would sign this browser out.
  const [confirming, setConfirming] = useState<BulkAction | null>(null);
  const search = useRef<HTMLInputElement>(null);
  // A token removed from under the keyboard: the next row takes the focus (the thead is the table's first child,
  // so with no row left, the search field does).
  const listFocus = useListFocus<HTMLTableElement>(search);
  // Rows get handlers that never change and otherwise plain values, so a re-sort or a change to one row
  // re-renders only the rows whose values changed (memo), not all 1,000.
  const latest = useRef(props);
  latest.current = props;
  const handlers = useMemo<RowHandlers>(
    () => ({
      onSelect: (token, on) => latest.current.onSelect(token, on),
      onDetails: (token) => latest.current.onDetails(token),
      onEdit: (token) => latest.current.onEdit(token),
      onToggle: (token) => latest.current.onToggle(token),
      onAsk: (token, kind) => latest.current.onAsk(token, kind),
      onCancel: () => latest.current.onCancel(),
      onDuplicateChange: (patch) => latest.current.onDuplicateChange(patch),
      onDuplicate: (token) => latest.current.onDuplicate(token),
      onRemove: (token) => latest.current.onRemove(token),
      leasesOf: (token) => latest.current.leasesOf?.(token),
    }),
    [],
  );
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
  const pickedRows = rows.filter((token) => selected.has(tokenKey(token)));
  const picked = pickedRows.length;
  const current = pickedRows.find((token) => token.current);
  const allPicked = rows.length > 0 && picked === rows.length;
  const bulkOff = picked === 0 || props.bulk !== null || locked !== null;
  return (
    <section class="token-table" aria-label={props.label}>
      <div class="table-tools">
        <input
          ref={search}
          type="search"
          class="table-search"
          aria-label="Search tokens"
          placeholder="Search name, owner, description"
          value={props.search}
          onInput={(event) => props.onSearch(event.currentTarget.value)}
        />
        <span class="table-count" role="status">
          {props.bulk
            ? `${props.bulk.verb} ${props.bulk.done} of ${props.bulk.total}…`
            : `${picked > 0 ? `${picked} selected · ` : ''}${rows.length} of ${plural(list.items.length, 'token')}`}
        </span>
        {confirming ? (
          <span class="bulk-confirm">
            <span class="confirm-text">
              {confirming === 'remove' ? 'Remove' : 'Disable'} {picked} selected?{' '}
              {picked === 1 ? 'It stops' : 'They stop'} working at once.
              {current && ` This includes ${currentLabel(current.type)}: it signs you out.`}
            </span>
            <button
              type="button"
              class="small danger"
              onClick={() => {
                setConfirming(null);
                props.onBulk(confirming);
              }}
            >
              Yes, {confirming} {picked}
            </button>
            <button type="button" class="small ghost" onClick={() => setConfirming(null)}>
              Cancel
            </button>
          </span>
        ) : (
          <span class="bulk-actions">
            <button
              type="button"
              class="small ghost"
              disabled={bulkOff}
              title={locked ?? undefined}
              onClick={() => props.onBulk('enable')}
            >
              Enable selected
            </button>
            <button
              type="button"
              class="small ghost"
              disabled={bulkOff}
              title={locked ?? undefined}
              onClick={() => (current ? setConfirming('disable') : props.onBulk('disable'))}
            >
              Disable selected
            </button>
            <button
              type="button"
              class="small ghost danger-text"
              disabled={bulkOff}
              title={locked ?? undefined}
              onClick={() => setConfirming('remove')}
            >
              Remove selected
            </button>
          </span>
        )}
      </div>
      <NoticeLine notice={props.notice} />
      {locked && <p class="hint locked">{locked}</p>}
      {list.items.length === 0 ? (
        <p class="placeholder">{props.emptyText}</p>
      ) : (
        <table {...listFocus}>
          <thead>
            <tr>
              <th class="select">
                <input
                  type="checkbox"
                  aria-label="Select all shown tokens"
                  checked={allPicked}
                  ref={(box) => {
                    if (box) box.indeterminate = picked > 0 && !allPicked;
                  }}
                  onChange={(event) => props.onSelectAll(event.currentTarget.checked)}
                />
              </th>
              {SORT_COLUMNS.map(({ column, label }) => (
                <th
                  key={column}
                  aria-sort={
                    sort.column === column ? (sort.descending ? 'descending' : 'ascending') : undefined
                  }
                >
                  <button type="button" class="sort" onClick={() => props.onSort(column)}>
                    {label}
                    <span aria-hidden="true">
                      {sort.column === column ? (sort.descending ? ' ▼' : ' ▲') : ''}
                    </span>
                  </button>
                </th>
              ))}
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          {/* One tbody per token (a table may have many): keyed elements rather than fragments move cheaply
              when the table is re-sorted. */}
          {rows.map((token) => (
            <TableRowView key={tokenKey(token)} {...rowProps(token, props)} handlers={handlers} />
          ))}
        </table>
      )}
      {list.items.length > 0 && rows.length === 0 && (
        <p class="placeholder">No token matches “{props.search}”.</p>
      )}
    </section>
  );
}

type RowHandlers = Pick<
  TokenTableProps,
  | 'onSelect'
  | 'onDetails'
  | 'onEdit'
  | 'onToggle'
  | 'onAsk'
  | 'onCancel'
  | 'onDuplicateChange'
  | 'onDuplicate'
  | 'onRemove'
  | 'leasesOf'
>;

interface RowProps {
  token: Token;
  now: number;
  owned: boolean;
  locked: string | null;
  busy: boolean;
  selected: boolean;
  expanded: boolean;
  prompt: RowPrompt['kind'] | null;
  /** Only the row asking for a copy sees its draft, so typing re-renders that row alone. */
  duplicate: DuplicateDraft | null;
}

function rowProps(token: Token, table: TokenTableProps): RowProps {
  const key = tokenKey(token);
  const prompt = table.prompt?.key === key ? table.prompt.kind : null;
  return {
    token,
    now: table.now,
    owned: table.owned,
    locked: table.locked,
    busy: table.busyRows.has(key) || table.bulk !== null,
    selected: table.selected.has(key),
    expanded: table.expanded === key,
    prompt,
    duplicate: prompt === 'duplicate' ? table.duplicate : null,
  };
}

const TableRowView = memo(TableRow);

function TableRow(props: RowProps & { handlers: RowHandlers }) {
  const { token, busy, expanded, prompt, handlers } = props;
  const table = { ...handlers, now: props.now };
  const off = busy || props.locked !== null;
  const why = props.locked ?? undefined;
  const canEdit = props.owned && token.type === 'USER';
  // The current session is switched like any other, after a question (it signs this browser out).
  const canToggle = !token.expired;
  const label = `${token.name} (${token.user})`;
  return (
    <tbody>
      <tr class={busy ? 'busy' : ''} aria-label={label}>
        <td class="select">
          <input
            type="checkbox"
            aria-label={`Select ${label}`}
            checked={props.selected}
            onChange={(event) => table.onSelect(token, event.currentTarget.checked)}
          />
        </td>
        <td class="name">
          <button
            type="button"
            class="link name-link"
            aria-expanded={expanded}
            title={token.description || 'Show details'}
            onClick={() => table.onDetails(token)}
          >
            {token.name}
          </button>
          {token.current && <CurrentMarker type={token.type} />}
        </td>
        <td>{token.user}</td>
        <td>{token.type === 'USER' ? 'API' : `session (${token.source})`}</td>
        <td>
          <StatusChip token={token} />
        </td>
        <td title={expiryText(token.expirationDate, token.expired, table.now)}>
          {absoluteDate(token.expirationDate)}
          <small>{expiryText(token.expirationDate, token.expired, table.now)}</small>
        </td>
        <td>{lastUsedText(token.lastUsedDate, table.now)}</td>
        <td class="actions">
          {canEdit && (
            <button
              type="button"
              class="small ghost"
              disabled={off}
              title={why}
              onClick={() => table.onEdit(token)}
            >
              {token.expired ? 'Renew…' : 'Edit'}
            </button>
          )}
          {canToggle && (
            <button
              type="button"
              class="small ghost"
              disabled={off}
              title={why}
              onClick={() => {
                const question = toggleQuestion(token);
                if (question) table.onAsk(token, question);
                else table.onToggle(token);
              }}
            >
              {token.enabled ? 'Disable' : 'Enable'}
            </button>
          )}
          {canEdit && (
            <button
              type="button"
              class="small ghost"
              disabled={off}
              title={why}
              onClick={() => table.onAsk(token, 'duplicate')}
            >
              Duplicate
            </button>
          )}
          <button
            type="button"
            class="small ghost danger-text"
            disabled={off}
            title={why}
            onClick={() => table.onAsk(token, 'remove')}
          >
            Remove
          </button>
        </td>
      </tr>
      {(prompt === 'remove' || prompt === 'disable' || prompt === 'enable') && (
        <tr class="detail-row">
          <td />
          <td colSpan={7}>
            <ConfirmPrompt
              kind={prompt}
              token={token}
              busy={busy}
              onConfirm={() => (prompt === 'remove' ? table.onRemove(token) : table.onToggle(token))}
              onCancel={table.onCancel}
            />
          </td>
        </tr>
      )}
      {prompt === 'duplicate' && props.duplicate && (
        <tr class="detail-row">
          <td />
          <td colSpan={7}>
            <DuplicatePrompt
              source={token}
              draft={props.duplicate}
              busy={busy}
              onChange={table.onDuplicateChange}
              onSubmit={() => table.onDuplicate(token)}
              onCancel={table.onCancel}
            />
          </td>
        </tr>
      )}
      {expanded && (
        <tr class="detail-row">
          <td />
          <td colSpan={7}>
            <TokenDetails token={token} now={table.now} leases={handlers.leasesOf?.(token)} />
          </td>
        </tr>
      )}
    </tbody>
  );
}

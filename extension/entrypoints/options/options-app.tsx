// The options page: a full-width manager (My tokens and, for administrators, All tokens in one table), rules.

import { useMemo } from 'preact/hooks';
import { holdsPermission } from '../../../shared/permissions';
import { useRules } from '../../features/rules/rules-context';
import { InjectionSettingsPanel, RulesPanel } from '../../features/rules/rules-panel';
import { useAllTokens } from '../../features/tokens/all-tokens-context';
import { usePopup } from '../../features/tokens/popup-context';
import { AccountBar, FILTERS, lockedReason, TABS } from '../../features/tokens/popup-views';
import { leasesOf } from '../../features/tokens/token-leases';
import type { TokenTableActions } from '../../features/tokens/token-table-actions';
import { visibleRows } from '../../features/tokens/token-table-model';
import type { TokenTableState } from '../../features/tokens/token-table-state';
import { NoticeLine } from '../../ui/notice-line';
import { Segmented } from '../../ui/segmented';
import { TokenTable } from '../../ui/token-table';
import { ManagerBody } from '../popup/popup-app';

const VIEWS = [
  { value: 'mine', label: 'My tokens' },
  { value: 'all', label: 'All tokens' },
  { value: 'rules', label: 'Injection' },
] as const;

export function OptionsApp() {
  const { state, actions } = usePopup();
  const all = useAllTokens();
  const connection = state.connection.value;
  const isAdmin =
    connection.kind === 'signedIn' && holdsPermission(connection.value.permissions, 'usermanagement:manage');
  const rules = useRules();
  const signedIn = connection.kind === 'signedIn' && !state.addingServer.value;
  const screen = state.screen.value;
  const showAll = signedIn && isAdmin && screen === 'all';
  const showRules = signedIn && screen === 'rules';
  const showMine = signedIn && screen === 'tokens';
  const current = showAll ? 'all' : showRules ? 'rules' : 'mine';
  return (
    <main class="page full">
      <header class="top">
        <h1>tokenward</h1>
        <AccountBar />
      </header>
      {signedIn && (
        <nav class="views">
          <Segmented
            label="View"
            options={isAdmin ? VIEWS : VIEWS.filter((view) => view.value !== 'all')}
            value={current}
            onChange={(view) => {
              actions.show(view === 'mine' ? 'tokens' : view);
              if (view === 'mine') void all.mine.actions.list.refresh();
              if (view === 'all') void all.actions.list.refresh();
              if (view === 'rules') void rules.actions.load();
            }}
          />
        </nav>
      )}
      {showAll ? (
        <AllTokensView />
      ) : showRules ? (
        <>
          <RulesPanel />
          <InjectionSettingsPanel />
        </>
      ) : showMine ? (
        <MyTokensView />
      ) : (
        <ManagerBody />
      )}
    </main>
  );
}

function MyTokensView() {
  const { state, actions } = usePopup();
  const { mine } = useAllTokens();
  const locked = lockedReason(state.connection.value);
  const tab = state.tab.value;
  const filter = state.filter.value;
  const choose = async (view: Parameters<typeof actions.chooseView>[0]) => {
    await actions.chooseView(view);
    await mine.actions.list.reload();
  };
  return (
    <section class="mine">
      <div class="toolbar">
        <Segmented
          label="Token type"
          options={TABS}
          value={tab}
          onChange={(value) => void choose({ tab: value })}
        />
        <Segmented
          label="Status"
          options={FILTERS}
          value={filter}
          onChange={(value) => void choose({ filter: value })}
        />
        {tab === 'USER' && (
          <button
            type="button"
            class="new-token"
            disabled={locked !== null}
            title={locked ?? undefined}
            onClick={() => void actions.openNewToken()}
          >
            New token
          </button>
        )}
      </div>
      <NoticeLine notice={state.notice.value} />
      <TableOf
        table={mine.state}
        actions={mine.actions}
        owned={true}
        label="My tokens"
        emptyText={`No ${filter} ${tab === 'USER' ? 'API' : 'session'} tokens.`}
      />
    </section>
  );
}

/** One table wired to its state and actions; search and sort run here, over the loaded rows. */
function TableOf({
  table,
  actions,
  owned,
  label,
  emptyText,
}: {
  table: TokenTableState;
  actions: TokenTableActions;
  owned: boolean;
  label: string;
  emptyText: string;
}) {
  const { state, actions: page } = usePopup();
  const list = table.list.list.value;
  const search = table.search.value;
  const sort = table.sort.value;
  const rows = useMemo(
    () => (list.kind === 'ready' ? visibleRows(list.items, search, sort) : []),
    [list, search, sort],
  );
  return (
    <TokenTable
      label={label}
      list={list}
      rows={rows}
      now={state.now.value}
      owned={owned}
      locked={lockedReason(state.connection.value)}
      search={search}
      sort={sort}
      selected={table.selected.value}
      bulk={table.bulk.value}
      busyRows={table.list.busyRows.value}
      expanded={table.list.expanded.value}
      prompt={table.list.prompt.value}
      duplicate={table.list.duplicate.value}
      notice={table.list.notice.value}
      emptyText={emptyText}
      onSearch={actions.setSearch}
      onSort={actions.sortBy}
      onSelect={actions.select}
      onSelectAll={(on) => actions.selectAll(rows, on)}
      onBulk={(action) => void actions.bulk(action)}
      onRetry={() => void actions.list.reload()}
      onDetails={actions.list.details}
      leasesOf={leasesOf}
      onEdit={(token) => void page.openEdit(token)}
      onToggle={(token) => void actions.list.toggle(token)}
      onAsk={actions.list.ask}
      onCancel={actions.list.cancel}
      onDuplicateChange={actions.list.editDuplicate}
      onDuplicate={(token) => void actions.list.duplicate(token)}
      onRemove={(token) => void actions.list.remove(token)}
    />
  );
}

function AllTokensView() {
  const { state, actions } = useAllTokens();
  const { state: page } = usePopup();
  return (
    <section class="all-tokens">
      <NoticeLine notice={page.notice.value} />
      <div class="filters">
        <label>
          Owner
          <input
            placeholder="every user"
            value={state.owner.value}
            spellcheck={false}
            onInput={(event) => actions.setOwner(event.currentTarget.value)}
          />
        </label>
        <label>
          Type
          <select
            value={state.type.value}
            onChange={(event) => {
              const value = event.currentTarget.value;
              void actions.setType(value === 'USER' || value === 'SESSION' ? value : '');
            }}
          >
            <option value="">Any</option>
            <option value="USER">API</option>
            <option value="SESSION">Session</option>
          </select>
        </label>
        <label>
          Status
          <select
            value={state.status.value}
            onChange={(event) => {
              const value = event.currentTarget.value;
              void actions.setStatus(value === 'active' || value === 'expired' ? value : '');
            }}
          >
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="expired">Expired</option>
          </select>
        </label>
      </div>
      <TableOf
        table={state.table}
        actions={actions.table}
        owned={false}
        label="All tokens"
        emptyText="No tokens match these filters."
      />
    </section>
  );
}

// The options page: the popup's management at full size, plus All Tokens for users who manage users.
import { holdsPermission } from '../../shared/permissions';
import { ManagerBody } from '../popup/popup-app';
import { usePopup } from '../popup/popup-context';
import { AccountBar, ListOf } from '../popup/popup-views';
import { useRules } from '../rules/rules-context';
import { InjectionSettingsPanel, RulesPanel } from '../ui/rules-panel';
import { Segmented } from '../ui/segmented';
import { useAllTokens } from './options-context';

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
  const showAll = isAdmin && state.screen.value === 'all' && !state.addingServer.value;
  const showRules = signedIn && state.screen.value === 'rules';
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
              if (view === 'all') void all.actions.list.reload();
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
      ) : (
        <ManagerBody />
      )}
    </main>
  );
}

function AllTokensView() {
  const { state, actions } = useAllTokens();
  return (
    <section class="all-tokens">
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void actions.list.reload();
        }}
      >
        <label>
          Owner
          <input
            placeholder="every user"
            value={state.owner.value}
            spellcheck={false}
            onInput={(event) => actions.setOwner(event.currentTarget.value)}
            onBlur={() => void actions.list.reload()}
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
        <button type="submit" class="small">
          Apply
        </button>
      </form>
      <ListOf
        list={state.list}
        actions={actions.list}
        showOwner={true}
        emptyText="No tokens match these filters."
      />
    </section>
  );
}

// The screens of token management, reading state from context: connect, token lists, new token, value once.

import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { CreatedTokenPanel } from '../../ui/created-token';
import { NoticeLine } from '../../ui/notice-line';
import { Segmented } from '../../ui/segmented';
import { ServerForm } from '../../ui/server-form';
import { ServerSwitcher } from '../../ui/server-switcher';
import { SignInForm } from '../../ui/sign-in-form';
import { StatusLine } from '../../ui/status-line';
import { statusText } from '../../ui/status-text';
import { TokenForm } from '../../ui/token-form';
import { TokenList } from '../../ui/token-list';
import { usePopup } from './popup-context';
import type { ConnectionView } from './popup-state';
import { leasesOf } from './token-leases';
import type { TokenListActions } from './token-list-actions';
import type { TokenListState } from './token-list-state';

export const TABS = [
  { value: 'USER', label: 'API tokens' },
  { value: 'SESSION', label: 'Session tokens' },
] as const;
export const FILTERS = [
  { value: 'active', label: 'Active' },
  { value: 'expired', label: 'Expired' },
] as const;

export function ConnectView() {
  const { state, actions } = usePopup();
  const { connection, signIn, addingServer } = state;
  // Why the sign-in form shows, unless the status line says it already (a server the browser cannot reach
  // fails both the sign-in and the check, in the same words).
  const signedOutReason = connection.value.kind === 'signedOut' ? connection.value.reason : undefined;
  const reason = signedOutReason === statusText(state.status.value) ? undefined : signedOutReason;
  const showSignIn =
    !addingServer.value && connection.value.kind === 'signedOut' && state.server.value !== '';
  return (
    <section class="connect">
      {state.loaded.value && (
        <ServerForm
          value={state.urlInput.value}
          onInput={actions.setUrlInput}
          onSubmit={() => void actions.save()}
          {...(addingServer.value && { onCancel: () => actions.addServer(false) })}
          focusOnOpen={addingServer.value || state.servers.value.length === 0}
        />
      )}
      {state.loaded.value && state.servers.value.length === 0 && state.status.value.kind === 'idle' && (
        <p class="hint">Enter the URL of your tokenward server and press Save &amp; check.</p>
      )}
      <StatusLine status={state.status.value} onGrantAccess={() => void actions.grantServerAccess()} />
      {addingServer.value && (
        <button type="button" class="link" onClick={() => actions.addServer(false)}>
          Back to {state.server.value}
        </button>
      )}
      {reason && (
        <p class="notice notice-error" role="alert">
          {reason}
        </p>
      )}
      {showSignIn && (
        <SignInForm
          mode={signIn.mode.value}
          user={signIn.user.value}
          password={signIn.password.value}
          token={signIn.token.value}
          busy={signIn.busy.value}
          error={signIn.error.value}
          onMode={actions.setSignInMode}
          onUser={(value) => {
            signIn.user.value = value;
          }}
          onPassword={(value) => {
            signIn.password.value = value;
          }}
          onToken={(value) => {
            signIn.token.value = value;
          }}
          onSubmit={() => void actions.signIn()}
        />
      )}
    </section>
  );
}

/** The header: the server switcher, and when signed in who is signed in and how, and Sign out. */
export function AccountBar() {
  const { state, actions } = usePopup();
  const connection = state.connection.value;
  // Back from adding a server (cancelled or saved), the switcher the user left from takes the focus again.
  const adding = state.addingServer.value;
  const select = useRef<HTMLSelectElement>(null);
  const wasAdding = useRef(adding);
  useEffect(() => {
    if (wasAdding.current && !adding) select.current?.focus();
    wasAdding.current = adding;
  }, [adding]);
  // Signed out of a saved server, the switcher stays: the user can go back to another one.
  if (state.servers.value.length === 0 || state.server.value === '' || adding) return null;
  const switcher = (
    <ServerSwitcher
      selectRef={select}
      servers={state.servers.value}
      value={state.server.value}
      onSwitch={(url) => void actions.switchServer(url)}
      onAdd={() => actions.addServer(true)}
      onForget={(url) => void actions.forgetServer(url)}
    />
  );
  if (connection.kind !== 'signedIn') return <div class="account-bar">{switcher}</div>;
  const { user, credential } = connection.value;
  return (
    <div class="account-bar">
      {switcher}
      <span
        class="who"
        title={`${user}: ${credential === 'session' ? 'signed in with a web session' : 'using an API token'}`}
      >
        {user}
        {credential === 'token' && ' (token)'}
      </span>
      <button type="button" class="small ghost" onClick={() => void actions.signOut()}>
        Sign out
      </button>
    </div>
  );
}

/** The rows of one list wired to that list's actions. */
/** Why this sign-in cannot change tokens, or null: the server refuses a restricted token every change. */
export function lockedReason(connection: ConnectionView): string | null {
  if (connection.kind !== 'signedIn' || !connection.value.restricted) return null;
  return 'Unavailable: you are signed in with a restricted API token, which can list tokens but not change them. Sign in with a password or an All Permissions token.';
}

export function ListOf({
  list,
  actions,
  showOwner,
  emptyText,
  fallbackFocus,
}: {
  list: TokenListState;
  actions: TokenListActions;
  showOwner: boolean;
  emptyText: string;
  fallbackFocus?: RefObject<HTMLElement | null>;
}) {
  const { state, actions: page } = usePopup();
  return (
    <>
      <NoticeLine notice={list.notice.value} />
      <TokenList
        list={list.list.value}
        now={state.now.value}
        showOwner={showOwner}
        emptyText={emptyText}
        busyRows={list.busyRows.value}
        prompt={list.prompt.value}
        duplicate={list.duplicate.value}
        loadingMore={list.loadingMore.value}
        expanded={list.expanded.value}
        locked={lockedReason(state.connection.value)}
        onEdit={(token) => void page.openEdit(token, showOwner ? 'all' : 'tokens')}
        onDetails={actions.details}
        leasesOf={leasesOf}
        onRetry={() => void actions.reload()}
        onLoadMore={() => void actions.loadMore()}
        onToggle={(token) => void actions.toggle(token)}
        onAsk={actions.ask}
        onCancel={actions.cancel}
        onDuplicateChange={actions.editDuplicate}
        onDuplicate={(token) => void actions.duplicate(token)}
        onRemove={(token) => void actions.remove(token)}
        {...(fallbackFocus && { fallbackFocus })}
      />
    </>
  );
}

export function TokensView() {
  const { state, actions } = usePopup();
  const tab = state.tab.value;
  const filter = state.filter.value;
  const kind = tab === 'USER' ? 'API' : 'session';
  const locked = lockedReason(state.connection.value);
  const newToken = useRef<HTMLButtonElement>(null);
  return (
    <section class="tokens">
      <div class="toolbar">
        <Segmented
          label="Token type"
          options={TABS}
          value={tab}
          onChange={(value) => void actions.setTab(value)}
        />
        <Segmented
          label="Status"
          options={FILTERS}
          value={filter}
          onChange={(value) => void actions.setFilter(value)}
        />
      </div>
      {tab === 'USER' && (
        <button
          type="button"
          class="new-token"
          ref={newToken}
          disabled={locked !== null}
          title={locked ?? undefined}
          onClick={() => void actions.openNewToken()}
        >
          New token
        </button>
      )}
      {locked && <p class="hint locked">{locked}</p>}
      <NoticeLine notice={state.notice.value} />
      <ListOf
        list={state.mine}
        actions={actions.mine}
        showOwner={false}
        emptyText={`No ${filter} ${kind} tokens.`}
        fallbackFocus={newToken}
      />
    </section>
  );
}

export function NewTokenView() {
  const { state, actions } = usePopup();
  const connection = state.connection.value;
  const editing = state.editing.value;
  const title =
    editing === null
      ? 'New API token'
      : editing.expired
        ? `Renew “${editing.name}”`
        : `Edit “${editing.name}”`;
  return (
    <section class="new">
      <h2>{title}</h2>
      <TokenForm
        key={editing === null ? 'new' : `${editing.user}/${editing.name}`}
        draft={state.draft.value}
        editing={editing}
        granted={state.granted.value}
        catalogue={state.catalogue.value}
        held={connection.kind === 'signedIn' ? connection.value.permissions : []}
        knownRepositories={state.knownRepositories.value}
        missing={state.missing.value}
        error={state.draftError.value}
        busy={state.creating.value}
        onChange={actions.editDraft}
        onSubmit={() => void actions.submit()}
        onGrant={actions.grantMissing}
        onCancel={actions.closeForm}
        onRetryCatalogue={() => void actions.retryCatalogue()}
      />
    </section>
  );
}

export function CreatedView() {
  const { state, actions } = usePopup();
  const created = state.created.value;
  if (created === null) return null;
  return (
    <CreatedTokenPanel
      token={created.token}
      now={state.now.value}
      copied={created.copied}
      kept={created.kept}
      error={state.draftError.value}
      onCopy={() => void actions.copyValue()}
      onDownload={actions.downloadValue}
      onKeep={(kept) => void actions.setKept(kept)}
      onDone={actions.closeCreated}
    />
  );
}

// One token list as signals: the loaded page(s), rows that are busy, an open row prompt, the last notice.
import { signal } from '@preact/signals';
import type { DuplicateDraft, ListView, Notice, RowPrompt } from '../../core/model';

export type { ListView, Notice, RowPrompt } from '../../core/model';
export { tokenKey } from '../../core/model';

export function createTokenListState() {
  return {
    list: signal<ListView>({ kind: 'loading' }),
    loadingMore: signal(false),
    busyRows: signal<ReadonlySet<string>>(new Set()),
    prompt: signal<RowPrompt | null>(null),
    /** The copy the open Duplicate prompt makes. */
    duplicate: signal<DuplicateDraft>({ name: '', expiry: 'same', date: '' }),
    /** The row whose details are open. */
    expanded: signal<string | null>(null),
    notice: signal<Notice | null>(null),
  };
}

export type TokenListState = ReturnType<typeof createTokenListState>;

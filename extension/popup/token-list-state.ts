// One token list as signals: the loaded page(s), rows that are busy, an open row prompt, the last notice.
import { signal } from '@preact/signals';
import type { Token } from '../../shared/schemas/token';

export type ListView =
  | { kind: 'loading' }
  | { kind: 'ready'; items: Token[]; totalCount: number }
  | { kind: 'failed'; message: string };

/** The question a row asks before it acts: a name for the copy, or "really remove?". */
export type RowPrompt = { key: string; kind: 'duplicate' | 'remove' };

export interface Notice {
  tone: 'ok' | 'error';
  text: string;
}

/** Rows are keyed by owner and name: names are unique per owner only. */
export function tokenKey(token: Pick<Token, 'user' | 'name'>): string {
  return JSON.stringify([token.user, token.name]);
}

export function createTokenListState() {
  return {
    list: signal<ListView>({ kind: 'loading' }),
    loadingMore: signal(false),
    busyRows: signal<ReadonlySet<string>>(new Set()),
    prompt: signal<RowPrompt | null>(null),
    duplicateName: signal(''),
    /** The row whose details are open. */
    expanded: signal<string | null>(null),
    notice: signal<Notice | null>(null),
  };
}

export type TokenListState = ReturnType<typeof createTokenListState>;

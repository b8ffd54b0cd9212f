// Injection rules as the pages show them (RuleDraft, the form's shape, is a leaf type in ../model): the rules and their states, the rule being edited, pasting a value.
import { computed, signal } from '@preact/signals';
import type { ImportReport, InjectionView } from '../../core/messages';
import type { Loadable, Notice, RuleDraft } from '../../core/model';
import { patternLines } from '../../core/rule';

export function createRulesState() {
  const draft = signal<RuleDraft | null>(null);
  return {
    view: signal<Loadable<InjectionView>>({ kind: 'idle' }),
    draft,
    /** The pattern box, one pattern a line: split here once, for the URL check and for saving. */
    draftPatterns: computed(() => patternLines(draft.value?.patterns ?? '')),
    draftError: signal<string | null>(null),
    /** A pattern in the draft matches every site: the form asks for the confirmation. */
    broad: signal(false),
    busy: signal(false),
    /** Saving waits for the browser's host-permission prompt: what the user is asked to do. */
    waiting: signal<string | null>(null),
    notice: signal<Notice | null>(null),
    /** What the settings, an import or an export say: shown beside them, far below the rules' own notice. */
    settingsNotice: signal<Notice | null>(null),
    paste: {
      open: signal(false),
      user: signal(''),
      name: signal(''),
      value: signal(''),
      error: signal<string | null>(null),
    },
    importReport: signal<ImportReport | null>(null),
  };
}

export type RulesState = ReturnType<typeof createRulesState>;

export type { RuleDraft };

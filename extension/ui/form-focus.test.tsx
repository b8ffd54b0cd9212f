// @vitest-environment happy-dom
// Where the keyboard is as a form or a question opens, and that it stays where the user moves it: each opens on
// its first field, keeps the focus through the renders that follow (a choice made, the clock's tick), and Esc
// cancels it.

import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type DuplicateDraft, emptyRuleDraft } from '../core/model';
import { aToken } from '../testing/token';
import { RowPrompt } from './confirm-prompt';
import { DuplicatePrompt } from './duplicate-prompt';
import { RuleForm } from './rule-form';

afterEach(cleanup);

const source = aToken();

function Duplicate() {
  const [draft, setDraft] = useState<DuplicateDraft>({ name: 'ci copy', expiry: 'same', date: '' });
  return (
    <DuplicatePrompt
      source={source}
      draft={draft}
      busy={false}
      onChange={(patch) => setDraft({ ...draft, ...patch })}
      onSubmit={() => {}}
      onCancel={() => {}}
    />
  );
}

describe('the focus in forms and questions', () => {
  it('opens a duplicate on its name, and leaves the focus on the expiry once the user chose one there', () => {
    render(<Duplicate />);
    expect(document.activeElement).toBe(screen.getByLabelText('Name of the copy'));
    const expiry = screen.getByLabelText('The copy expires after');
    expiry.focus();
    fireEvent.change(expiry, { target: { value: 'date' } });
    // The change re-rendered the prompt (the date field appeared): the focus stayed where the user put it.
    expect(screen.getByLabelText('Expiration date of the copy')).toBeTruthy();
    expect(document.activeElement).toBe(expiry);
  });

  it('opens a question on Cancel, and keeps the focus on the button the user moved to through a re-render', () => {
    const props = { confirmLabel: 'Yes, remove', busy: false, onConfirm: () => {}, onCancel: () => {} };
    const { rerender } = render(<RowPrompt {...props}>Remove ci?</RowPrompt>);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));
    const yes = screen.getByRole('button', { name: 'Yes, remove' });
    yes.focus();
    rerender(<RowPrompt {...props}>Remove ci? It expires in 29 minutes.</RowPrompt>);
    expect(document.activeElement).toBe(yes);
  });

  it('opens the rule form on its token, and Esc cancels it', () => {
    const onCancel = vi.fn();
    render(
      <RuleForm
        draft={emptyRuleDraft()}
        patterns={[]}
        held={[{ server: 'http://127.0.0.1:8787', user: 'admin', name: 'ci' }]}
        broad={false}
        error={null}
        waiting={null}
        busy={false}
        offerThisTab={false}
        onChange={() => {}}
        onSubmit={() => {}}
        onCancel={onCancel}
        onPaste={() => {}}
        tabUrl={async () => undefined}
      />,
    );
    const token = screen.getByRole('combobox', { name: 'Token' });
    expect(document.activeElement).toBe(token);
    fireEvent.keyDown(screen.getByRole('textbox', { name: /URL patterns/ }), { key: 'Escape' });
    expect(onCancel).toHaveBeenCalledOnce();
  });
});

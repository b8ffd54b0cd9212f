// The active server among the saved ones, with entries to add another and to forget the active one.
import type { Ref } from 'preact';

const ADD = '\u0000add';
const FORGET = '\u0000forget';

export interface ServerSwitcherProps {
  servers: string[];
  value: string;
  onSwitch: (url: string) => void;
  onAdd: () => void;
  onForget: (url: string) => void;
  selectRef?: Ref<HTMLSelectElement>;
}

export function ServerSwitcher({
  servers,
  value,
  onSwitch,
  onAdd,
  onForget,
  selectRef,
}: ServerSwitcherProps) {
  const options = servers.includes(value) ? servers : [value, ...servers];
  return (
    <select
      ref={selectRef}
      class="server-switcher"
      aria-label="Server"
      title={value}
      value={value}
      onChange={(event) => {
        const chosen = event.currentTarget.value;
        if (chosen === ADD || chosen === FORGET) {
          event.currentTarget.value = value;
          if (chosen === ADD) onAdd();
          else onForget(value);
        } else onSwitch(chosen);
      }}
    >
      {options.map((url) => (
        <option key={url} value={url}>
          {url.replace(/^https?:\/\//, '')}
        </option>
      ))}
      <option value={ADD}>Add a server…</option>
      {servers.includes(value) && <option value={FORGET}>Forget {value.replace(/^https?:\/\//, '')}</option>}
    </select>
  );
}

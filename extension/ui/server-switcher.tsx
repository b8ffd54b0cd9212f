// The active server among the saved ones, with an entry to add another.
const ADD = '\u0000add';

export interface ServerSwitcherProps {
  servers: string[];
  value: string;
  onSwitch: (url: string) => void;
  onAdd: () => void;
}

export function ServerSwitcher({ servers, value, onSwitch, onAdd }: ServerSwitcherProps) {
  const options = servers.includes(value) ? servers : [value, ...servers];
  return (
    <select
      class="server-switcher"
      aria-label="Server"
      value={value}
      onChange={(event) => {
        const chosen = event.currentTarget.value;
        if (chosen === ADD) {
          event.currentTarget.value = value;
          onAdd();
        } else onSwitch(chosen);
      }}
    >
      {options.map((url) => (
        <option key={url} value={url}>
          {url.replace(/^https?:\/\//, '')}
        </option>
      ))}
      <option value={ADD}>Add a server…</option>
    </select>
  );
}
